import CFastCGI
import Glibc
import Logging
import Platform
import Synchronization

/// A FastCGI responder: accepts requests from nginx on several threads of this process and hands
/// each to a `FastCGIHandler` on the thread that accepted it.
///
/// Deployed under `spawn-fcgi -n -s SOCK -- multiwatch -f N -- pgassist serve`: every worker process
/// accepts on the socket spawn-fcgi passes as fd 0. Each thread owns an `FCGX_Request`; one lock
/// serialises `FCGX_Accept_r`. SIGTERM, SIGINT and SIGUSR1 (sent by multiwatch) stop the server
/// gracefully: it stops accepting, lets requests in flight finish, and `run` returns.
/// Connections are closed after each request: leave nginx's `fastcgi_keep_conn` off.
public final class FastCGIServer: Sendable {
    /// How this server listens and how many threads it runs.
    public let configuration: FastCGIServerConfiguration
    private let logger: Logger
    private let state = Mutex<(stopped: Bool, loop: AcceptLoop?)>((false, nil))

    /// Creates a server; nothing is opened until `run`.
    public init(configuration: FastCGIServerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Exit status of a worker process ended by the request timeout (`requestTimeoutMilliseconds`).
    public static let requestTimeoutExitStatus: Int32 = 70
    /// Exit status of a worker process whose requests outlived the stop grace period (`stopGraceMilliseconds`),
    /// or that got a second stop signal while stopping.
    public static let stopGraceExitStatus: Int32 = 75

    /// Runs the accept loop on `threads` threads until SIGTERM/SIGUSR1/SIGINT, `stop()`, or until
    /// `maxRequests` requests were served; returns only after in-flight requests finished.
    ///
    /// `makeHandler` is called once on each worker thread with its index (0..<threads), so each
    /// handler can own that thread's database connections. A stop takes effect within about 100 ms
    /// (1 s on TCP sockets) plus the time requests in flight take, bounded by `stopGraceMilliseconds`
    /// when it is set: after it the process exits. While `run` runs, a process-wide handler catches
    /// the stop signals on any thread except the workers, which block them; the previous handlers come
    /// back when it returns.
    ///
    /// When the stop signal comes from the parent process (multiwatch stopping the whole pool), or the
    /// unix socket is this server's own, the socket is shut to new connections at once (nginx answers
    /// 502, or tries its next upstream server) and the connections already queued are still served.
    /// A stop signal from anyone else stops only this process and leaves the shared socket alone.
    /// With `requestTimeoutMilliseconds` set, a request running longer ends the process
    /// (`requestTimeoutExitStatus`).
    /// Throws `.listenFailed`, `.threadFailed`, `.initFailed`, `.invalidConfiguration`,
    /// `.alreadyRunning`, or `.acceptFailed` (after stopping) when accepting breaks for good.
    public func run(makeHandler: @escaping @Sendable (_ threadIndex: Int) -> any FastCGIHandler) throws(FastCGIError) {
        try validateConfiguration()
        let started = ContinuousClock.now
        try LibFCGI.initialize()
        // Handle stop signals before the socket exists, so a signal sent once it is there stops us gracefully.
        let signalCount = StopSignals.install()
        defer { StopSignals.uninstall() }
        let listener = try openListener()
        let minimumLifetime = started + .milliseconds(configuration.minimumLifetimeMilliseconds)
        let watchdog = makeWatchdog(exitingNoSoonerThan: minimumLifetime)
        let loop = AcceptLoop(listener: listener, maxRequests: configuration.maxRequests, watchdog: watchdog, logger: logger)
        let alreadyStopped = try register(loop)
        defer { state.withLock { $0.loop = nil } }
        if alreadyStopped {
            logger.info("FastCGI server not started: stop() was called before run()")
            return
        }

        logStarted()
        // Workers inherit a mask with the stop signals blocked; this thread then takes them.
        let originalMask = StopSignals.blockInCurrentThread()
        defer { StopSignals.restoreMask(originalMask) }
        let watchdogThread = startWatchdogThread(watchdog, loop: loop)
        let threads = startWorkerThreads(loop, makeHandler: makeHandler)

        StopSignals.unblockInCurrentThread()
        superviseUntilWorkersFinish(loop, threadCount: threads.count, listener: listener, signalCount: signalCount)
        for thread in threads {
            thread.join()
        }
        watchdog.stop()
        watchdogThread?.join()
        logger.info("FastCGI server stopped", metadata: ["requests": "\(loop.servedRequests)"])
        if configuration.maxRequests > 0 && loop.servedRequests >= configuration.maxRequests {
            while ContinuousClock.now < minimumLifetime && StopSignals.received(since: signalCount) == nil {
                poll(nil, 0, 20)
            }
        }
        if let failure = loop.outcome.failure {
            throw failure
        }
    }

    private func validateConfiguration() throws(FastCGIError) {
        guard configuration.threads >= 1, configuration.maxRequests >= 0, configuration.backlog >= 1,
              configuration.requestTimeoutMilliseconds >= 0, configuration.slowRequestMilliseconds >= 0,
              configuration.stopGraceMilliseconds >= 0 else {
            throw FastCGIError(code: .invalidConfiguration,
                               message: "threads must be at least 1, backlog at least 1, maxRequests and the timeouts at least 0")
        }
    }

    private func openListener() throws(FastCGIError) -> ListeningSocket {
        let listener = try ListeningSocket.open(configuration.listen, backlog: configuration.backlog,
                                                socketMode: configuration.socketMode)
        // Worker threads notice a stop within one accept timeout: no signal has to interrupt them.
        // TCP gets a longer timeout because accepted TCP sockets inherit it while libfcgi reads the params.
        try listener.setAcceptTimeout(milliseconds: listener.family == AF_UNIX ? 100 : 1000)
        return listener
    }

    private func makeWatchdog(exitingNoSoonerThan minimumLifetime: ContinuousClock.Instant) -> RequestWatchdog {
        RequestWatchdog(slots: configuration.threads, timeoutMilliseconds: configuration.requestTimeoutMilliseconds,
                        slowMilliseconds: configuration.slowRequestMilliseconds, logger: logger) { _, _, _ in
            // A timeout comes long after the start, so multiwatch never counts this as a failed start;
            // the wait only matters for a timeout set below its respawn window.
            while ContinuousClock.now < minimumLifetime { poll(nil, 0, 20) }
            _exit(Self.requestTimeoutExitStatus)
        }
    }

    /// Makes `loop` the running one; returns true when `stop()` came first.
    private func register(_ loop: AcceptLoop) throws(FastCGIError) -> Bool {
        try state.withLock { (state) throws(FastCGIError) -> Bool in
            if state.loop != nil {
                throw FastCGIError(code: .alreadyRunning, message: "run() was called while the server was running")
            }
            state.loop = loop
            return state.stopped
        }
    }

    private func logStarted() {
        logger.info("FastCGI server started", metadata: [
            "pid": "\(getpid())", "threads": "\(configuration.threads)", "listen": "\(configuration.listen)",
            "maxRequests": "\(configuration.maxRequests)", "requestTimeoutMs": "\(configuration.requestTimeoutMilliseconds)",
            "slowRequestMs": "\(configuration.slowRequestMilliseconds)", "stopGraceMs": "\(configuration.stopGraceMilliseconds)",
        ])
    }

    private func startWatchdogThread(_ watchdog: RequestWatchdog, loop: AcceptLoop) -> NativeThread? {
        guard watchdog.needsThread else { return nil }
        do {
            return try NativeThread.start { watchdog.run() }
        } catch {
            let error = FastCGIError(threadFailure: error)
            logger.error("cannot start the request watchdog thread", metadata: ["error": "\(error.message)"])
            loop.requestStop(reason: "the watchdog thread could not start", failure: error)
            return nil
        }
    }

    /// Starts up to `threads` workers; stops starting them once the loop is stopping (a start failed, or a signal came).
    private func startWorkerThreads(_ loop: AcceptLoop,
                                    makeHandler: @escaping @Sendable (Int) -> any FastCGIHandler) -> [NativeThread] {
        var threads: [NativeThread] = []
        for index in 0..<configuration.threads where !loop.isStopping {
            do {
                threads.append(try NativeThread.start { loop.runWorker(index: index, makeHandler: makeHandler) })
            } catch {
                let error = FastCGIError(threadFailure: error)
                logger.error("cannot start a worker thread", metadata: ["error": "\(error.message)"])
                loop.requestStop(reason: "a worker thread could not start", failure: error)
            }
        }
        return threads
    }

    /// The thread that called `run`, until every worker thread has returned: turns stop signals into
    /// a stop or a drain, and ends the process when the stop grace period is over or a second stop
    /// signal arrives (only when `stopGraceMilliseconds` is set).
    private func superviseUntilWorkersFinish(_ loop: AcceptLoop, threadCount: Int, listener: ListeningSocket,
                                             signalCount: Int) {
        let grace = configuration.stopGraceMilliseconds
        var seenSignals = signalCount
        var seenParentSignals = StopSignals.countFromParent
        var signalled = false
        var drained = false
        var graceEnds: ContinuousClock.Instant?
        var loggedStop = false
        while loop.finishedWorkers < threadCount {
            if let signal = StopSignals.received(since: seenSignals) {
                seenSignals = StopSignals.count
                // multiwatch signals its workers only to stop the whole pool: no worker will accept on the
                // shared socket after us, so refuse new connections now instead of leaving them queued.
                let fromSupervisor = StopSignals.countFromParent != seenParentSignals
                seenParentSignals = StopSignals.countFromParent
                // A second signal means "now" (multiwatch forwards one as it is), unless it is the
                // supervisor's pool stop following someone else's stop of this worker (KillMode=control-group).
                if signalled && grace > 0 && (drained || !fromSupervisor) {
                    exitWithRequestsInFlight(loop, reason: "a second \(StopSignals.name(signal)) while stopping")
                }
                signalled = true
                let reason = "received \(StopSignals.name(signal))" + (fromSupervisor ? " from the supervisor" : "")
                if fromSupervisor || listener.owned {
                    loop.drain(reason: reason)
                    drained = true
                } else {
                    loop.requestStop(reason: reason)
                }
            }
            if loop.isWindingDown && !loggedStop {
                loggedStop = true
                logStopping(loop)
            }
            if grace > 0 && graceEnds == nil && loop.isGraceBounded {
                graceEnds = .now + .milliseconds(grace)
            }
            if let graceEnds, ContinuousClock.now >= graceEnds {
                exitWithRequestsInFlight(loop, reason: "the stop grace period of \(grace) ms is over")
            }
            // A stop signal interrupts this sleep (EINTR), so the loop reacts at once.
            poll(nil, 0, 100)
        }
        if !loggedStop { logStopping(loop) }
    }

    private func logStopping(_ loop: AcceptLoop) {
        logger.info("FastCGI server stopping", metadata: [
            "reason": "\(loop.outcome.reason ?? "unknown")", "in_flight": "\(loop.watchdog.inFlight().count)",
        ])
    }

    /// Logs the requests still in flight and ends the process with `stopGraceExitStatus`.
    private func exitWithRequestsInFlight(_ loop: AcceptLoop, reason: String) -> Never {
        let now = ContinuousClock.now
        let requests = loop.watchdog.inFlight()
        for request in requests {
            logger.error("request cut short by the stop", metadata: RequestWatchdog.metadata(request, elapsed: request.elapsedMilliseconds(at: now)))
        }
        logger.error("FastCGI server exiting with requests in flight", metadata: [
            "reason": "\(reason)", "in_flight": "\(requests.count)", "pid": "\(getpid())",
        ])
        _exit(Self.stopGraceExitStatus)
    }

    /// Stops the server gracefully, like a stop signal from someone other than the supervisor: it stops
    /// accepting (a socket of its own refuses new connections, and what is queued is still served),
    /// lets requests in flight finish within `stopGraceMilliseconds`, and `run` returns. A stopped
    /// server stays stopped.
    public func stop() {
        let loop = state.withLock { state in
            state.stopped = true
            return state.loop
        }
        guard let loop else { return }
        if loop.ownsListener {
            loop.drain(reason: "stop() called")
        } else {
            loop.requestStop(reason: "stop() called")
        }
    }

    /// True when fd 0 is not a FastCGI listening socket (`FCGX_IsCGI`), i.e. the process was
    /// started as a plain CGI program or from a terminal.
    public static var isCGI: Bool {
        guard (try? LibFCGI.initialize()) != nil else { return true }
        return FCGX_IsCGI() != 0
    }

    /// Serves exactly one request from the CGI environment (`environ`), stdin and stdout.
    public static func serveCGIRequest(with handler: any FastCGIHandler) {
        // libfcgi's initialisation installs the SIGPIPE handler that turns a closed stdout into EPIPE.
        _ = try? LibFCGI.initialize()
        let exchange = FastCGIExchange(params: FastCGIExchange.parseParams(environment: environ),
                                       transport: CGITransport(input: 0, output: 1))
        handler.handle(exchange)
        exchange.finish()
    }
}
