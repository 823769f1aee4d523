import ArgumentParser
import AssistantHTTP
import ChatEngine
import Logging
import Operations
import Platform
import Policies
import Store

/// `pgassist serve`: answer FastCGI requests on the socket spawn-fcgi hands over (fd 0), on `--listen`,
/// or a single request when started as plain CGI.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the assistant API over FastCGI (the default command).",
        discussion: """
            Under spawn-fcgi the listening socket is fd 0. For a local run without spawn-fcgi use \
            --listen /path/to.sock or --listen :9000 (127.0.0.1). Started as a CGI program \
            (REQUEST_METHOD set, stdin not a socket) it answers that one request and exits.
            """
    )

    @Option(help: "Listen on this unix socket path or :PORT instead of the socket inherited as fd 0.")
    var listen: String?

    @Option(help: "Request threads per process (env PGASSIST_THREADS, default 4).")
    var threads: Int?

    @Option(help: "Exit gracefully after this many requests so the supervisor starts a fresh worker; 0 = never (env PGASSIST_MAX_REQUESTS).")
    var maxRequests: Int?

    @Option(help: "Largest request body accepted, in bytes (env PGASSIST_MAX_BODY_BYTES, default 1048576).")
    var maxBodyBytes: Int?

    @Option(help: """
        Longest a request may run, in milliseconds; a worker with a request over it logs it and exits (status 70) \
        for multiwatch to replace. Must be above CHAT_DEADLINE_MS; 0 = no limit \
        (env PGASSIST_REQUEST_TIMEOUT_MS, default 300000 or CHAT_DEADLINE_MS + 60000 if larger).
        """)
    var requestTimeoutMs: Int?

    @Option(help: "Log requests slower than this many milliseconds; 0 = off (env PGASSIST_SLOW_REQUEST_MS, default 10000).")
    var slowRequestMs: Int?

    @Option(help: """
        After a stop signal, how long requests in flight may still run, in milliseconds; then the worker exits \
        (status 75). 0 = however long (env PGASSIST_STOP_GRACE_MS, default 30000).
        """)
    var stopGraceMs: Int?

    func validate() throws {
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be from 1 to 256.") }
        if let maxRequests, maxRequests < 0 { throw ValidationError("--max-requests must be 0 or more.") }
        if let maxBodyBytes, maxBodyBytes < 1 { throw ValidationError("--max-body-bytes must be at least 1.") }
        if let requestTimeoutMs, requestTimeoutMs != 0 && !(1_000...86_400_000).contains(requestTimeoutMs) {
            throw ValidationError("--request-timeout-ms must be 0 (no limit) or from 1000 to 86400000.")
        }
        if let slowRequestMs, !(0...3_600_000).contains(slowRequestMs) {
            throw ValidationError("--slow-request-ms must be from 0 to 3600000.")
        }
        if let stopGraceMs, !(0...3_600_000).contains(stopGraceMs) {
            throw ValidationError("--stop-grace-ms must be from 0 to 3600000.")
        }
        if let listen, !AssistantServer.isListenAddress(listen) {
            throw ValidationError("--listen takes a unix socket path or :PORT, not '\(listen)'.")
        }
    }

    func run() throws {
        let environment = EnvironmentReader.processVariables
        let logger = LogSetup.bootstrap(environment: environment)
        let settings = try ServeSettings(environment: environment, threads: threads, maxRequests: maxRequests,
                                         maxBodyBytes: maxBodyBytes, requestTimeoutMilliseconds: requestTimeoutMs,
                                         slowRequestMilliseconds: slowRequestMs, stopGraceMilliseconds: stopGraceMs)
        if settings.requestTimeoutBelowChatDeadline {
            logger.warning("PGASSIST_ALLOW_UNSAFE_TIMEOUTS=1: the request timeout ends chat turns before their deadline", metadata: [
                "requestTimeoutMs": "\(settings.requestTimeoutMilliseconds)",
                "chatDeadlineMs": "\(settings.assistant.chat.deadlineMilliseconds)",
            ])
        }

        let wiring = try Wiring(settings: settings, logger: logger)
        let limits = AssistantServer.Limits(threads: settings.threads, maxRequests: settings.maxRequests,
                                            maxBodyBytes: settings.maxBodyBytes,
                                            requestTimeoutMilliseconds: settings.requestTimeoutMilliseconds,
                                            slowRequestMilliseconds: settings.slowRequestMilliseconds,
                                            stopGraceMilliseconds: settings.stopGraceMilliseconds)
        guard let server = AssistantServer(listen: listen, limits: limits, logger: logger) else {
            throw ValidationError("--listen takes a unix socket path or :PORT, not '\(listen ?? "")'.")
        }
        if server.isCGI {
            guard environment["REQUEST_METHOD"] != nil else {
                throw StartupError("stdin is not a FastCGI socket: start pgassist under spawn-fcgi, or pass --listen.")
            }
            server.serveCGIRequest(with: try wiring.api())
            return
        }

        // Migrate before accepting requests. A SQLite file that cannot be opened or migrated is a
        // configuration error: exit, so the supervisor's crash-loop guard stops and the log says why.
        // A PostgreSQL store that is down now may come back: serve, and retry on each request.
        do {
            try settings.openStore().migrate()
        } catch {
            guard settings.assistant.storeLocation.kind == .postgres else {
                throw StartupError("cannot prepare the SQLite thread store: \(error.debugDescription)")
            }
            logger.error("could not prepare the thread store; will retry on each request",
                         metadata: ["error": "\(error.debugDescription)"])
        }
        try server.run { () throws(StoreError) in try wiring.api() }
    }
}
