import CFastCGI
import Glibc
import Logging
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

    /// Runs the accept loop on `threads` threads until SIGTERM/SIGUSR1/SIGINT, `stop()`, or until
    /// `maxRequests` requests were served; returns only after in-flight requests finished.
    ///
    /// `makeHandler` is called once on each worker thread with its index (0..<threads), so each
    /// handler can own that thread's database connections. A stop takes effect within about 100 ms
    /// (1 s on TCP sockets) plus the time requests in flight take. While `run` runs, a process-wide
    /// handler catches the stop signals on any thread except the workers, which block them; the
    /// previous handlers come back when it returns.
    /// Throws `.listenFailed`, `.threadFailed`, `.initFailed`, `.invalidConfiguration`,
    /// `.alreadyRunning`, or `.acceptFailed` (after stopping) when accepting breaks for good.
    public func run(makeHandler: @escaping @Sendable (_ threadIndex: Int) -> any FastCGIHandler) throws(FastCGIError) {
        guard configuration.threads >= 1, configuration.maxRequests >= 0, configuration.backlog >= 1 else {
            throw FastCGIError(code: .invalidConfiguration,
                               message: "threads must be at least 1, maxRequests at least 0, backlog at least 1")
        }
        let started = ContinuousClock.now
        try LibFCGI.initialize()
        // Handle stop signals before the socket exists, so a signal sent once it is there stops us gracefully.
        let signalCount = StopSignals.install()
        defer { StopSignals.uninstall() }
        let listener = try ListeningSocket.open(configuration.listen, backlog: configuration.backlog,
                                                socketMode: configuration.socketMode)
        // Worker threads notice a stop within one accept timeout: no signal has to interrupt them.
        // TCP gets a longer timeout because accepted TCP sockets inherit it while libfcgi reads the params.
        try listener.setAcceptTimeout(milliseconds: listener.family == AF_UNIX ? 100 : 1000)
        let loop = AcceptLoop(listener: listener, maxRequests: configuration.maxRequests, logger: logger)
        let alreadyStopped = try state.withLock { (state) throws(FastCGIError) -> Bool in
            if state.loop != nil {
                throw FastCGIError(code: .alreadyRunning, message: "run() was called while the server was running")
            }
            state.loop = loop
            return state.stopped
        }
        defer { state.withLock { $0.loop = nil } }
        if alreadyStopped {
            logger.info("FastCGI server not started: stop() was called before run()")
            return
        }

        logger.info("FastCGI server started", metadata: [
            "pid": "\(getpid())", "threads": "\(configuration.threads)", "listen": "\(configuration.listen)",
            "maxRequests": "\(configuration.maxRequests)",
        ])
        // Workers inherit a mask with the stop signals blocked; this thread then takes them.
        let originalMask = StopSignals.blockInCurrentThread()
        defer { StopSignals.restoreMask(originalMask) }
        var threads: [NativeThread] = []
        for index in 0..<configuration.threads {
            switch NativeThread.start({ loop.runWorker(index: index, makeHandler: makeHandler) }) {
            case .success(let thread):
                threads.append(thread)
            case .failure(let error):
                logger.error("cannot start a worker thread", metadata: ["error": "\(error.message)"])
                loop.requestStop(reason: "a worker thread could not start", failure: error)
            }
            if loop.isStopping { break }
        }

        StopSignals.unblockInCurrentThread()
        while !loop.isStopping {
            if let signal = StopSignals.received(since: signalCount) {
                loop.requestStop(reason: "received \(StopSignals.name(signal))")
                break
            }
            // A stop signal interrupts this sleep (EINTR), so the loop reacts at once.
            poll(nil, 0, 100)
        }
        let outcome = loop.outcome
        logger.info("FastCGI server stopping", metadata: ["reason": "\(outcome.reason ?? "unknown")"])
        for thread in threads {
            thread.join()
        }
        logger.info("FastCGI server stopped", metadata: ["requests": "\(loop.servedRequests)"])
        if configuration.maxRequests > 0 && loop.servedRequests >= configuration.maxRequests {
            let lifetime = started + .milliseconds(configuration.minimumLifetimeMilliseconds)
            while ContinuousClock.now < lifetime && StopSignals.received(since: signalCount) == nil {
                poll(nil, 0, 20)
            }
        }
        if let failure = outcome.failure {
            throw failure
        }
    }

    /// Stops the server gracefully, like SIGTERM but only for this server: it stops accepting,
    /// lets requests in flight finish, and `run` returns. A stopped server stays stopped.
    public func stop() {
        let loop = state.withLock { state in
            state.stopped = true
            return state.loop
        }
        loop?.requestStop(reason: "stop() called")
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
