import FastCGI
import FastCGIHTTP
import Logging
import Store

/// The assistant API carried over FastCGI: on the socket spawn-fcgi hands over (fd 0), on a listen address, or
/// as one CGI request. The edge's entry point for `pgassist serve`, which gives it a way to build each request
/// thread's `AssistantAPI`.
public struct AssistantServer: Sendable {
    /// The FastCGI server's limits; times in milliseconds (0 = none, as `FastCGIServerConfiguration` says).
    public struct Limits: Sendable {
        /// Request threads per process.
        public var threads: Int
        /// Requests before the worker recycles itself; 0 = never.
        public var maxRequests: Int
        /// Largest request body accepted, in bytes.
        public var maxBodyBytes: Int
        /// Longest a request may run before the watchdog ends the worker process.
        public var requestTimeoutMilliseconds: Int
        /// A request running longer than this is logged as slow.
        public var slowRequestMilliseconds: Int
        /// How long requests in flight may still run after a stop signal.
        public var stopGraceMilliseconds: Int

        /// Limits with these values.
        public init(threads: Int, maxRequests: Int, maxBodyBytes: Int, requestTimeoutMilliseconds: Int,
                    slowRequestMilliseconds: Int, stopGraceMilliseconds: Int) {
            self.threads = threads
            self.maxRequests = maxRequests
            self.maxBodyBytes = maxBodyBytes
            self.requestTimeoutMilliseconds = requestTimeoutMilliseconds
            self.slowRequestMilliseconds = slowRequestMilliseconds
            self.stopGraceMilliseconds = stopGraceMilliseconds
        }
    }

    private let address: ListenAddress
    private let limits: Limits
    private let logger: Logger

    /// A server on `listen` (a unix socket path or `:PORT`; nil: the socket inherited as fd 0); nil when `listen`
    /// is neither.
    public init?(listen: String?, limits: Limits, logger: Logger) {
        guard let address = listen.map(ListenAddress.init(parsing:)) ?? .inherited else { return nil }
        self.address = address
        self.limits = limits
        self.logger = logger
    }

    /// Whether `text` is a listen address the server takes.
    public static func isListenAddress(_ text: String) -> Bool { ListenAddress(parsing: text) != nil }

    /// Whether the process was started as a CGI program (stdin not a socket) with no listen address.
    public var isCGI: Bool { address == .inherited && FastCGIServer.isCGI }

    /// Answers the one request of a CGI start with `api`.
    public func serveCGIRequest(with api: AssistantAPI) {
        FastCGIServer.serveCGIRequest(with: RequestHandler(responder: api, maxBodyBytes: limits.maxBodyBytes, logger: logger))
    }

    /// Serves until stopped; `makeAPI` builds each request thread's API (its own store connection). A thread whose
    /// store cannot be opened answers 503 `store_unavailable` (logged) instead of ending the worker.
    public func run(makeAPI: @escaping @Sendable () throws(StoreError) -> AssistantAPI) throws(FastCGIError) {
        let configuration = FastCGIServerConfiguration(listen: address, threads: limits.threads, maxRequests: limits.maxRequests,
                                                       requestTimeoutMilliseconds: limits.requestTimeoutMilliseconds,
                                                       slowRequestMilliseconds: limits.slowRequestMilliseconds,
                                                       stopGraceMilliseconds: limits.stopGraceMilliseconds)
        let limits = limits, logger = logger
        try FastCGIServer(configuration: configuration, logger: logger).run { _ in
            do throws(StoreError) {
                return RequestHandler(responder: try makeAPI(), maxBodyBytes: limits.maxBodyBytes, logger: logger)
            } catch {
                logger.critical("cannot open the thread store", metadata: ["error": "\(error.debugDescription)"])
                return UnavailableHandler(answering: AssistantAPI.storeUnavailable, logger: logger)
            }
        }
    }
}
