/// How a `FastCGIServer` listens and how many requests it serves at once.
public struct FastCGIServerConfiguration: Sendable {
    /// Where to accept connections; `.inherited` (fd 0 from spawn-fcgi) by default.
    public var listen: ListenAddress
    /// Worker threads in this process, each serving one request at a time (at least 1).
    public var threads: Int
    /// Requests this process serves (all threads together) before `run` returns so that
    /// multiwatch starts a fresh worker; 0 means never.
    public var maxRequests: Int
    /// Length of the kernel's queue of connections not yet accepted (only for sockets this server creates).
    public var backlog: Int32
    /// Permission bits of the socket file created for `.unixSocket`; 0o666 lets nginx workers
    /// (www-data) connect on a local run, but also any local user. In production let
    /// spawn-fcgi create the socket (`-M 0660 -U www-data`) and use `.inherited`.
    public var socketMode: Int
    /// A worker recycled by `maxRequests` sooner than this after its start waits out the rest
    /// (not accepting) before `run` returns, in milliseconds. multiwatch counts a worker that dies
    /// within its retry window of its start as a failed start and abandons the slot after a few,
    /// so quick recycling under load would otherwise shrink the pool. A stop signal ends the wait.
    public var minimumLifetimeMilliseconds: Int
    /// Longest a request may run, in milliseconds; 0 = no limit. A request over it is logged and the
    /// whole process exits at once with `FastCGIServer.requestTimeoutExitStatus` (its other requests
    /// in flight fail too), for the supervisor to replace it: php-fpm's `request_terminate_timeout`.
    public var requestTimeoutMilliseconds: Int
    /// A request running longer than this is logged as slow, in milliseconds (once when it passes the
    /// threshold, once with its status when it finishes); 0 = off. php-fpm's `request_slowlog_timeout`.
    public var slowRequestMilliseconds: Int
    /// After a stop signal or `stop()`, how long requests in flight may still run, in milliseconds;
    /// then the process exits with `FastCGIServer.stopGraceExitStatus`, as it does at once on a second
    /// stop signal. 0 = wait for them however long they take (and ignore a second signal).
    /// Does not apply to a stop after `maxRequests`, whose requests are bounded by the request timeout.
    public var stopGraceMilliseconds: Int

    /// Creates a configuration; the defaults suit a worker started by spawn-fcgi and multiwatch but set
    /// no slow log, and no request timeout or stop grace period, which end the whole process.
    public init(listen: ListenAddress = .inherited, threads: Int = 4, maxRequests: Int = 0,
                backlog: Int32 = 1024, socketMode: Int = 0o666, minimumLifetimeMilliseconds: Int = 1_000,
                requestTimeoutMilliseconds: Int = 0, slowRequestMilliseconds: Int = 0, stopGraceMilliseconds: Int = 0) {
        self.listen = listen
        self.threads = threads
        self.maxRequests = maxRequests
        self.backlog = backlog
        self.socketMode = socketMode
        self.minimumLifetimeMilliseconds = minimumLifetimeMilliseconds
        self.requestTimeoutMilliseconds = requestTimeoutMilliseconds
        self.slowRequestMilliseconds = slowRequestMilliseconds
        self.stopGraceMilliseconds = stopGraceMilliseconds
    }
}
