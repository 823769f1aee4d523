import Foundation

/// A real nginx in the foreground, configured from the repository's `nginx/nginx.conf.template`
/// (and so the shipped `nginx/pgassist-api.conf`), forwarding the API to a FastCGI socket.
///
/// Its pid file, logs and temp folders live in `directory/nginx/`. Started as root, its workers
/// run as www-data, so the socket must be writable for them (WorkerPool makes it 0666).
public final class NginxServer: @unchecked Sendable {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    public let baseURL: String
    /// The TCP port nginx listens on (127.0.0.1 only).
    public let port: Int
    /// nginx's prefix folder: pid file, logs, temp folders and the rendered `nginx.conf`.
    public let prefix: String
    /// The rendered configuration file.
    public let configPath: String
    /// The include holding the upstream's `server unix:…;` line (what `Deploy/pgassist-switch` rewrites).
    public let upstreamPath: String
    /// nginx's error log.
    public let errorLogPath: String
    private let outputPath: String
    private let process: Process
    private let lock = NSLock()
    private var stopped = false

    /// Renders the template for `port` and `socketPath`, starts nginx and waits (up to 10 s) until
    /// the port accepts connections. With `authURL` (`http://HOST:PORT` of an auth service such as
    /// `AuthStandIn`), the shipped `nginx/pgassist-auth.conf` is included: every API request but health
    /// and metrics is authenticated there.
    ///
    /// `moreSocketPaths` puts further FastCGI sockets (other worker pools, as on other hosts) in the same
    /// upstream, which nginx then balances round-robin; `upstreamLog` says which one answered a request.
    public init(directory: TemporaryDirectory, port: Int, socketPath: String, authURL: String? = nil,
                moreSocketPaths: [String] = []) throws {
        self.port = port
        baseURL = "http://127.0.0.1:\(port)"
        prefix = directory.file("nginx")
        configPath = "\(prefix)/nginx.conf"
        upstreamPath = "\(prefix)/upstream.conf"
        errorLogPath = "\(prefix)/error.log"
        outputPath = "\(prefix)/nginx.out"
        // Traversable by www-data, which nginx's workers run as under root.
        try FileManager.default.createDirectory(atPath: prefix, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        let nginxFolder = "\(TestEnvironment.repositoryRoot)/nginx"
        var config = try String(contentsOfFile: "\(nginxFolder)/nginx.conf.template", encoding: .utf8)
        let values = [
            "@PREFIX@": prefix,
            "@PORT@": String(port),
            "@SOCKET@": socketPath,
            "@NGINX_DIR@": nginxFolder,
            "@USER_DIRECTIVE@": getuid() == 0 ? "user www-data;" : "",
            "#@AUTH_UPSTREAM@": try authURL.map { "upstream pgassist_auth { server \(try Self.hostAndPort(of: $0)); }" } ?? "",
            "#@AUTH_INCLUDE@": authURL == nil ? "" : "include \(nginxFolder)/pgassist-auth.conf;",
        ]
        for (placeholder, value) in values {
            config = config.replacingOccurrences(of: placeholder, with: value)
        }
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        try ([socketPath] + moreSocketPaths).map { "server unix:\($0);\n" }.joined()
            .write(toFile: upstreamPath, atomically: true, encoding: .utf8)

        process = try Command.start([try Command.resolve("nginx"), "-p", "\(prefix)/", "-c", configPath,
                                     "-e", errorLogPath, "-g", "daemon off;"],
                                    logPath: outputPath, directory: prefix)
        do {
            try process.waitUntilReady("accept connections on port \(port)", log: { errorLog }) {
                ProcessTable.acceptsConnections(port: port)
            }
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// `HOST:PORT` of an `http://HOST:PORT` URL, as an upstream's `server` wants it.
    private static func hostAndPort(of url: String) throws -> String {
        guard let parts = URLComponents(string: url), parts.scheme == "http", let host = parts.host, let port = parts.port else {
            throw TestSupportError("the auth URL must be http://HOST:PORT, not \(url)")
        }
        return "\(host):\(port)"
    }

    /// The master process id.
    public var pid: Int32 { process.processIdentifier }

    /// The nginx command line that reaches this server (add `-t` or `-s reload`), as `Deploy/pgassist-switch`
    /// takes it in `PGASSIST_NGINX`.
    public var command: [String] {
        [(try? Command.resolve("nginx")) ?? "nginx", "-p", "\(prefix)/", "-c", configPath, "-e", errorLogPath]
    }

    /// Re-reads the configuration (SIGHUP) and waits (up to 10 s) until the new worker has started,
    /// so requests made afterwards see the new configuration. Returns false when nginx is not
    /// running or did not start a new worker (a broken configuration: see `errorLog`).
    @discardableResult
    public func reload() -> Bool {
        let marker = "start worker process"
        let before = errorLog.components(separatedBy: marker).count
        guard process.isRunning, kill(process.processIdentifier, SIGHUP) == 0 else { return false }
        let deadline = Date().addingTimeInterval(10)
        while errorLog.components(separatedBy: marker).count <= before {
            if Date() >= deadline { return false }
            usleep(20_000)
        }
        return true
    }

    /// Stops nginx gracefully (SIGQUIT: finish open requests), then SIGKILL after 10 s. Safe to call more than once.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        guard process.isRunning else { return }
        let workers = ProcessTable.children(of: process.processIdentifier)
        kill(process.processIdentifier, SIGQUIT)
        if !ProcessTable.waitForExit(process, seconds: 10) {
            kill(process.processIdentifier, SIGKILL)
            _ = ProcessTable.waitForExit(process, seconds: 5)
            for pid in workers where ProcessTable.exists(pid) { kill(pid, SIGKILL) }
        }
    }

    /// One line per request, `MSEC METHOD URI STATUS UPSTREAM_ADDR UPSTREAM_STATUS`, where the upstream
    /// address is `unix:SOCKET` (several, comma-separated, when nginx tried more than one pool).
    public var upstreamLog: String { ProcessTable.read("\(prefix)/upstream.log") }

    /// nginx's error log (and anything it printed before opening it).
    public var errorLog: String {
        let early = ProcessTable.read(outputPath)
        return early.isEmpty ? ProcessTable.read(errorLogPath) : early + ProcessTable.read(errorLogPath)
    }
}
