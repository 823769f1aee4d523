import CFastCGI
import Glibc
import Logging
import Synchronization

/// The state one `FastCGIServer.run` shares between its worker threads: the listening socket, the
/// lock that serialises `FCGX_Accept_r`, the request count, and the stop flag.
final class AcceptLoop: Sendable {
    private let listener: ListeningSocket
    private let maxRequests: Int
    private let logger: Logger
    /// Serialises FCGX_Accept_r (libfcgi does no locking on Linux) and counts accepted requests.
    private let acceptLock = Mutex<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let stopState = Mutex<(reason: String?, failure: FastCGIError?)>((nil, nil))

    init(listener: ListeningSocket, maxRequests: Int, logger: Logger) {
        self.listener = listener
        self.maxRequests = maxRequests
        self.logger = logger
    }

    /// True once a stop was requested; worker threads finish their request and exit.
    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// Why the loop stopped (first request wins) and the error that stopped it, if any.
    var outcome: (reason: String?, failure: FastCGIError?) { stopState.withLock { $0 } }

    /// Requests accepted so far, all threads together.
    var servedRequests: Int { acceptLock.withLock { $0 } }

    /// Asks every worker thread to stop after its current request; the first reason is kept.
    func requestStop(reason: String, failure: FastCGIError? = nil) {
        stopState.withLock { state in
            if state.reason == nil { state.reason = reason }
            if state.failure == nil { state.failure = failure }
        }
        stopping.store(true, ordering: .releasing)
    }

    /// The body of one worker thread: make the handler, then accept and serve requests until stopped.
    func runWorker(index: Int, makeHandler: @Sendable (Int) -> any FastCGIHandler) {
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
            let exchange = FastCGIExchange(params: FastCGIExchange.parseParams(environment: slot.request.pointee.envp),
                                           transport: FCGXTransport(request: slot.request))
            defer {
                exchange.finish()
                slot.finish()
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
                    requestStop(reason: "served \(served) requests (maxRequests)")
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
            usleep(100_000)
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
