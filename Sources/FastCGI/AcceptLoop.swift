import CFastCGI
import Glibc
import Logging
import Platform
import Synchronization

/// The state one `FastCGIServer.run` shares between its worker threads: the listening socket, the
/// lock that serialises `FCGX_Accept_r`, the request count, the requests in flight, and how it stops.
///
/// Two ways to stop. `requestStop`: threads finish their request and accept no more; connections
/// still queued on a shared socket are left to the other workers. `drain`, when no other worker will
/// accept after this one (the pool stops, or the socket is this process's own): the unix socket
/// refuses new connections at once, and threads go on accepting until the queue is empty.
final class AcceptLoop: Sendable {
    private let listener: ListeningSocket
    private let maxRequests: Int
    private let logger: Logger
    /// The requests in flight, for the request timeout, the slow log and the stop grace period.
    let watchdog: RequestWatchdog
    /// Serialises FCGX_Accept_r (libfcgi does no locking on Linux) and counts accepted requests.
    private let acceptLock = Mutex<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let draining = Atomic<Bool>(false)
    private let graceApplies = Atomic<Bool>(false)
    private let finishedThreads = Atomic<Int>(0)
    private let stopState = Mutex<(reason: String?, failure: FastCGIError?)>((nil, nil))

    init(listener: ListeningSocket, maxRequests: Int, watchdog: RequestWatchdog, logger: Logger) {
        self.listener = listener
        self.maxRequests = maxRequests
        self.watchdog = watchdog
        self.logger = logger
    }

    /// True once a stop was requested or the queue was drained; worker threads finish their request and exit.
    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// True once a stop or a drain began, for whatever reason.
    var isWindingDown: Bool { isStopping || draining.load(ordering: .acquiring) }

    /// True when the stop is one the stop grace period bounds (a signal, `stop()`, the pool's socket
    /// shut down), false for none yet or for `maxRequests`.
    var isGraceBounded: Bool { graceApplies.load(ordering: .acquiring) }

    /// Why the loop stopped (first request wins) and the error that stopped it, if any.
    var outcome: (reason: String?, failure: FastCGIError?) { stopState.withLock { $0 } }

    /// Requests accepted so far, all threads together.
    var servedRequests: Int { acceptLock.withLock { $0 } }

    /// Whether the listening socket is this process's own (not fd 0 shared with the other workers).
    var ownsListener: Bool { listener.owned }

    /// Worker threads whose `runWorker` has returned.
    var finishedWorkers: Int { finishedThreads.load(ordering: .acquiring) }

    /// Asks every worker thread to stop after its current request; the first reason is kept.
    /// `graceBounded` says whether the stop grace period applies (see `isGraceBounded`).
    func requestStop(reason: String, failure: FastCGIError? = nil, graceBounded: Bool = true) {
        noteReason(reason, failure: failure, graceBounded: graceBounded)
        stopping.store(true, ordering: .releasing)
    }

    /// Shuts the unix socket to new connections and lets the worker threads serve what is already
    /// queued, then stop; on TCP (where that would drop the queue) it is `requestStop`.
    /// Only for a socket no other process will accept on after this one.
    func drain(reason: String) {
        noteReason(reason, failure: nil, graceBounded: true)
        guard !draining.exchange(true, ordering: .acquiringAndReleasing) else { return }
        // Even when this process already stopped accepting (it was stopped alone first), the socket
        // must refuse new connections now; the other workers of the pool serve what is queued.
        if listener.shutDownForNewConnections() {
            logger.info("the listening socket refuses new connections; serving those already queued")
        } else {
            requestStop(reason: reason)
        }
    }

    private func noteReason(_ reason: String, failure: FastCGIError?, graceBounded: Bool) {
        stopState.withLock { state in
            if state.reason == nil { state.reason = reason }
            if state.failure == nil { state.failure = failure }
        }
        if graceBounded { graceApplies.store(true, ordering: .releasing) }
    }

    /// The body of one worker thread: make the handler, then accept and serve requests until stopped.
    func runWorker(index: Int, makeHandler: @Sendable (Int) -> any FastCGIHandler) {
        defer { finishedThreads.add(1, ordering: .releasing) }
        StopSignals.blockInCurrentThread()
        var logger = self.logger
        logger[metadataKey: "fastcgi.thread"] = "\(index)"
        let handler = makeHandler(index)
        let slot = RequestSlot(listeningSocket: listener.fd)
        while !isStopping {
            guard acceptNext(into: slot, logger: logger) else { continue }
            if listener.family != AF_UNIX {
                // Accepted TCP sockets inherit the listener's SO_RCVTIMEO; the body may arrive slowly.
                _ = ListeningSocket.setReceiveTimeout(slot.connection, milliseconds: 0)
            }
            let params = FastCGIExchange.parseParams(environment: slot.request.pointee.envp)
            watchdog.begin(InFlightRequest(slot: index, params: params, started: .now))
            let exchange = FastCGIExchange(params: params, transport: FCGXTransport(request: slot.request))
            defer {
                exchange.finish()
                slot.finish()
                watchdog.end(slot: index, status: exchange.responseStatus)
            }
            handler.handle(exchange)
        }
    }

    /// Accepts one request under the accept lock; false when there is none (timeout, stop, error).
    private func acceptNext(into slot: RequestSlot, logger: Logger) -> Bool {
        let result: Int32? = acceptLock.withLock { served in
            if isStopping { return nil }
            let result = slot.accept()
            if result >= 0 {
                served += 1
                if maxRequests > 0 && served >= maxRequests {
                    // Decided under the lock, so exactly maxRequests requests are accepted.
                    requestStop(reason: "served \(served) requests (maxRequests)", graceBounded: false)
                }
            }
            return result
        }
        guard let result else { return false }
        if result >= 0 { return true }
        let error = -result
        switch error {
        case EAGAIN, EWOULDBLOCK, EINTR:
            break  // the accept timeout: look at the stop flag again
        case EMFILE, ENFILE, ENOBUFS, ENOMEM:
            logger.error("accept failed, retrying", metadata: ["error": "\(Self.describe(error))"])
            Sleep.milliseconds(100)
        case EINVAL where listener.family == AF_UNIX:
            // A unix socket shut down (by this process's drain, or by another worker of the pool when
            // the pool stops) accepts what was queued, then fails with EINVAL: nothing is left to serve.
            requestStop(reason: draining.load(ordering: .acquiring)
                        ? "served every queued connection" : "the listening socket was shut down (the pool is stopping)")
        default:
            let failure = FastCGIError(code: .acceptFailed, message: "FCGX_Accept_r failed: \(Self.describe(error))")
            logger.error("accept failed, stopping", metadata: ["error": "\(Self.describe(error))"])
            requestStop(reason: "accept failed", failure: failure)
        }
        return false
    }

    private static func describe(_ error: Int32) -> String {
        error > 0 && error < 4096 ? String(cString: strerror(error)) : "libfcgi error \(-error)"
    }
}
