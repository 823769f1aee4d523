import Foundation
import HTTPClient

/// The whole service as deployed: nginx in front of `pgassist serve` workers under spawn-fcgi and
/// multiwatch, all in one temporary directory, ready when `GET /api/ai/assistant/health` is 200.
///
/// Layout of `directory`: `run/pgassist.sock` (the FastCGI socket), `var/pgassist.db` (the
/// SQLite store), `workers.log`, and `nginx/` (configuration, logs, temp folders).
public final class Service: @unchecked Sendable {
    /// Where the workers keep threads.
    public enum Store: Sendable {
        /// A SQLite file at `directory/var/pgassist.db`.
        case sqlite
        /// A PostgreSQL database, e.g. from `PostgresServer.shared().createDatabase()`.
        case postgres(url: String)
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    public let baseURL: String
    /// The temporary directory holding the socket, the store, the configuration and the logs.
    public let directory: TemporaryDirectory
    /// The spawn-fcgi + multiwatch pool.
    public let workers: WorkerPool
    /// The nginx in front of it.
    public let nginx: NginxServer
    /// The SQLite store file for `.sqlite` (the workers create it), nil for `.postgres`.
    public let sqlitePath: String?
    private let lock = NSLock()
    private var stopped = false

    /// Starts the workers and nginx, then waits (up to 30 s) until the health endpoint answers 200.
    ///
    /// - Parameters:
    ///   - maxRequests: requests after which a worker exits and is replaced; 0 means never.
    ///   - environment: added to the workers' environment (overriding the store's `THREAD_STORE_URL`).
    ///   - authURL: `http://HOST:PORT` of an auth service (e.g. `AuthStandIn`) that nginx asks about every
    ///     API request (`nginx/pgassist-auth.conf`); nil runs nginx without authentication.
    public init(store: Store = .sqlite, workers: Int = 2, threads: Int = 2, maxRequests: Int = 0,
                environment: [String: String] = [:], authURL: String? = nil) throws {
        let directory = try TemporaryDirectory(prefix: "pgassist-service")
        var settings: [String: String] = [:]
        switch store {
        case .sqlite:
            try FileManager.default.createDirectory(atPath: directory.file("var"), withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
            sqlitePath = directory.file("var/pgassist.db")
            settings["THREAD_STORE_URL"] = "sqlite://\(directory.file("var/pgassist.db"))"
        case .postgres(let url):
            sqlitePath = nil
            settings["THREAD_STORE_URL"] = url
        }
        settings.merge(environment) { _, given in given }

        let socketPath = directory.file("run/pgassist.sock")
        let pool = try WorkerPool(directory: directory, socketPath: socketPath, workers: workers, threads: threads,
                                  maxRequests: maxRequests, environment: settings)
        let server: NginxServer
        do {
            server = try Self.startNginx(directory: directory, socketPath: socketPath, authURL: authURL)
        } catch {
            pool.stop()
            throw TestSupportError("\(error)\nworkers:\n\(pool.log)")
        }
        self.directory = directory
        self.workers = pool
        self.nginx = server
        baseURL = server.baseURL
        do {
            try waitUntilHealthy(seconds: 30)
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// Sends one request to `baseURL + path` and returns the response, whatever its status.
    /// A body without a Content-Type header in `headers` is sent as `application/json`.
    public func request(_ method: String, _ path: String, body: String? = nil,
                        headers: [(String, String)]? = nil) throws -> HTTPClientResponse {
        var fields = (headers ?? []).map { (name: $0.0, value: $0.1) }
        if body != nil, !fields.contains(where: { $0.name.lowercased() == "content-type" }) {
            fields.append((name: "Content-Type", value: "application/json"))
        }
        let request = HTTPClientRequest(method: method, url: baseURL + path, headers: fields,
                                        body: body.map { Array($0.utf8) })
        return try HTTPClient().send(request)
    }

    /// Stops nginx, then the workers (gracefully, then by force). Safe to call more than once.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        nginx.stop()
        workers.stop()
    }

    /// The workers' log and nginx's error log, for failure messages.
    public var logs: String {
        "--- workers (\(workers.logPath))\n\(workers.log)\n--- nginx error log\n\(nginx.errorLog)"
    }

    /// nginx on a free port; another process may take the port between the probe and the bind, so try a few.
    private static func startNginx(directory: TemporaryDirectory, socketPath: String, authURL: String?) throws -> NginxServer {
        var lastError: Error?
        for _ in 0..<3 {
            do {
                return try NginxServer(directory: directory, port: try freeTCPPort(), socketPath: socketPath, authURL: authURL)
            } catch {
                lastError = error
                guard "\(error)".contains("Address already in use") else { throw error }
            }
        }
        throw lastError ?? TestSupportError("nginx did not start")
    }

    private func waitUntilHealthy(seconds: Double) throws {
        let deadline = Date().addingTimeInterval(seconds)
        var last = "no answer yet"
        while true {
            do {
                let response = try HTTPClient().send(HTTPClientRequest(url: "\(baseURL)/api/ai/assistant/health",
                                                                       timeoutMilliseconds: 5_000))
                if response.status == 200 { return }
                last = "\(response.status) \(response.text.prefix(300))"
            } catch {
                last = "\(error)"
            }
            if workers.workerPIDs().isEmpty && !ProcessTable.exists(workers.launcherPID) {
                throw TestSupportError("the worker pool exited before becoming healthy (last answer: \(last))\n\(logs)")
            }
            if Date() >= deadline {
                throw TestSupportError("GET /api/ai/assistant/health was not 200 within \(Int(seconds)) s (last answer: \(last))\n\(logs)")
            }
            usleep(100_000)
        }
    }
}
