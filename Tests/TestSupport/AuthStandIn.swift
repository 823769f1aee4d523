import Foundation
import HTTPClient
import JSON

/// The stand-in for the deployment's auth service (`Tests/AuthStandIn/auth_standin.py`), the target
/// of nginx's `auth_request` in tests: `Authorization: Bearer TOKEN` for a token in its table is a
/// 200 with `X-Auth-User: USER`, anything else a 401.
///
/// A token mapped to an empty user is answered 200 without `X-Auth-User`; a token in `forbidden` is
/// answered 403. The auth service itself is the deployment's; we ship only the nginx side.
public final class AuthStandIn: @unchecked Sendable {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    public let baseURL: String
    /// The TCP port it listens on (127.0.0.1 only).
    public let port: Int
    private let directory: TemporaryDirectory
    private let process: Process
    private let lock = NSLock()
    private var stopped = false

    /// Starts the stand-in on a free port with `users` (token → user) and waits (up to 30 s) until it listens.
    public init(users: [String: String], forbidden: [String] = []) throws {
        directory = try TemporaryDirectory(prefix: "pgassist-auth-standin")
        let portFile = directory.file("port")
        let logPath = directory.file("auth_standin.log")
        // A file rather than arguments: tokens stay out of the process list.
        let tokensFile = directory.file("tokens.json")
        try JSONValue.object(users.mapValues(JSONValue.string)).serialized().write(toFile: tokensFile, atomically: true, encoding: .utf8)
        let arguments = ["python3", "\(TestEnvironment.repositoryRoot)/Tests/AuthStandIn/auth_standin.py",
                         "--port", "0", "--port-file", portFile, "--tokens", tokensFile]
            + forbidden.flatMap { ["--forbid", $0] }
        process = try Command.start(arguments, logPath: logPath, directory: directory.path)
        let port: Int
        do {
            try process.waitUntilReady("write \(portFile)", seconds: 30, log: { ProcessTable.read(logPath) }) {
                Self.port(in: portFile) != nil
            }
            port = Self.port(in: portFile)!
        } catch {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw error
        }
        self.port = port
        baseURL = "http://127.0.0.1:\(port)"
    }

    deinit { stop() }

    /// Every auth request received since the start or the last `reset()`, oldest first: objects with
    /// `method`, `path`, `headers` (Authorization masked but for its last 4 characters) and `bodyBytes`.
    public func requests() throws -> [JSONValue] {
        let response = try HTTPClient().send(HTTPClientRequest(url: "\(baseURL)/__requests", timeoutMilliseconds: 10_000))
        guard response.status == 200, let list = try JSONValue.parse(response.body).arrayValue else {
            throw TestSupportError("GET /__requests answered \(response.status): \(response.text)")
        }
        return list
    }

    /// Forgets the recorded requests.
    public func reset() throws {
        let response = try HTTPClient().send(HTTPClientRequest(method: "POST", url: "\(baseURL)/__reset", timeoutMilliseconds: 10_000))
        guard response.status == 200 else { throw TestSupportError("POST /__reset answered \(response.status)") }
    }

    /// Kills the server (SIGKILL: it holds no state worth a graceful stop). Safe to call more than once.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Everything the server wrote: its startup line and one line per request (tokens masked).
    public var log: String { ProcessTable.read(directory.file("auth_standin.log")) }

    /// The port the server wrote once listening, or nil while the file is absent or incomplete.
    private static func port(in path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), text.hasSuffix("\n") else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
