import Glibc
import Synchronization

/// Bumped by the signal handler for every stop signal; servers compare it with the value they started with.
private let stopSignalCount = Atomic<Int>(0)
/// The last stop signal the handler saw.
private let lastStopSignal = Atomic<Int32>(0)
/// Bumped by the handler for every stop signal that came from this process's parent (multiwatch stopping the pool).
private let parentStopSignalCount = Atomic<Int>(0)

/// SIGTERM, SIGINT and SIGUSR1 (what multiwatch sends its children) mean "stop gracefully".
///
/// The handler also notes whether a signal came from the parent process: multiwatch signals its
/// workers only when the whole pool stops, so such a stop may close the shared socket to new
/// connections, while a signal from anyone else (an operator stopping one worker) must not.
///
/// While at least one server runs, a process-wide handler (SA_RESTART) records each of them in an
/// atomic counter, whichever thread receives it: the thread that called `run` polls the counter, and
/// a signal also cuts short its sleep. Worker threads block these signals so their blocking
/// libfcgi/libpq/libcurl calls are never interrupted; the handler replaces libfcgi's own SIGUSR1
/// handler, which would otherwise make every later accept fail. The previous handlers come back
/// when the last server stops.
enum StopSignals {
    static let numbers: [Int32] = [SIGTERM, SIGINT, SIGUSR1]

    private struct Installation {
        var users = 0
        var previous: [Int32: sigaction] = [:]
    }

    private static let installation = Mutex(Installation())

    /// Installs the handler (first caller) and returns the current count to compare against.
    static func install() -> Int {
        installation.withLock { state in
            if state.users == 0 {
                _ = stopSignalCount.load(ordering: .relaxed)  // initialise the globals before a handler can touch them
                _ = lastStopSignal.load(ordering: .relaxed)
                _ = parentStopSignalCount.load(ordering: .relaxed)
                var action = sigaction()
                action.__sigaction_handler.sa_sigaction = { signal, info, _ in
                    // getppid is async-signal-safe; si_pid is the sender for kill() and sigqueue().
                    if let info, info.pointee._sifields._kill.si_pid == getppid() {
                        parentStopSignalCount.add(1, ordering: .relaxed)
                    }
                    lastStopSignal.store(signal, ordering: .relaxed)
                    stopSignalCount.add(1, ordering: .releasing)
                }
                action.sa_flags = SA_RESTART | SA_SIGINFO
                sigemptyset(&action.sa_mask)
                for number in numbers {
                    var previous = sigaction()
                    sigaction(number, &action, &previous)
                    state.previous[number] = previous
                }
            }
            state.users += 1
            return stopSignalCount.load(ordering: .acquiring)
        }
    }

    /// Restores the previous handlers when the last server stops.
    static func uninstall() {
        installation.withLock { state in
            state.users -= 1
            if state.users == 0 {
                for (number, var previous) in state.previous {
                    sigaction(number, &previous, nil)
                }
                state.previous = [:]
            }
        }
    }

    /// The stop signal received since `count` was taken, if any.
    static func received(since count: Int) -> Int32? {
        stopSignalCount.load(ordering: .acquiring) == count ? nil : lastStopSignal.load(ordering: .relaxed)
    }

    /// How many stop signals arrived so far, to compare with later.
    static var count: Int { stopSignalCount.load(ordering: .acquiring) }

    /// How many stop signals so far came from the parent process (the supervisor), to compare with later.
    static var countFromParent: Int { parentStopSignalCount.load(ordering: .acquiring) }

    /// Blocks the stop signals in the calling thread (worker threads, and threads created while
    /// they are blocked); returns the previous mask.
    @discardableResult
    static func blockInCurrentThread() -> sigset_t {
        changeMask(SIG_BLOCK)
    }

    /// Unblocks the stop signals in the calling thread (the thread in `run`, which may have been
    /// started with them blocked, as Dispatch threads and test runners are).
    static func unblockInCurrentThread() {
        changeMask(SIG_UNBLOCK)
    }

    /// Restores a mask returned by `blockInCurrentThread`.
    static func restoreMask(_ mask: sigset_t) {
        var mask = mask
        pthread_sigmask(SIG_SETMASK, &mask, nil)
    }

    @discardableResult
    private static func changeMask(_ how: Int32) -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for number in numbers { sigaddset(&set, number) }
        var previous = sigset_t()
        pthread_sigmask(how, &set, &previous)
        return previous
    }

    /// `SIGTERM`, `SIGINT`, `SIGUSR1` for logs.
    static func name(_ number: Int32) -> String {
        switch number {
        case SIGTERM: return "SIGTERM"
        case SIGINT: return "SIGINT"
        case SIGUSR1: return "SIGUSR1"
        default: return "signal \(number)"
        }
    }
}
