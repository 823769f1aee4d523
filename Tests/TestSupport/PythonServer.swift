import Foundation
import HTTPClient
import JSON

/// One of the Python stand-ins under `Tests/` (the fake model provider, the auth service) running as a
/// child process: started on a free port in its own temporary directory, reached over HTTP on
/// 127.0.0.1, and killed when stopped or released.
///
/// Both scripts share `Tests/PythonSupport/stand_in.py`: they take `--port 0 --port-file PATH`, write
/// the chosen port once listening, log to standard error and keep the requests they answer for
/// `GET /__requests` (cleared by `POST /__reset`).
public final class PythonServer: @unchecked Sendable {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    public let rootURL: String
    /// The TCP port it listens on (127.0.0.1 only).
    public let port: Int
    private let directory: TemporaryDirectory
    private let logPath: String
    private let process: Process
    private let lock = NSLock()
    private var stopped = false

    /// Starts `Tests/<script>` and waits (up to 30 s) until it listens. `arguments` gives what follows the
    /// port options; it receives the server's own directory, where it may write files they name.
    public init(script: String, arguments: (TemporaryDirectory) throws -> [String]) throws {
        let name = URL(fileURLWithPath: script).deletingPathExtension().lastPathComponent
        directory = try TemporaryDirectory(prefix: "pgassist-\(name)")
        let portFile = directory.file("port")
        logPath = directory.file("\(name).log")
        let command = ["python3", "\(TestEnvironment.repositoryRoot)/Tests/\(script)", "--port", "0", "--port-file", portFile]
            + (try arguments(directory))
        process = try Command.start(command, logPath: logPath, directory: directory.path)
        do {
            try process.waitUntilReady("write \(portFile)", seconds: 30, log: { [logPath] in ProcessTable.read(logPath) }) {
                Self.port(in: portFile) != nil
            }
        } catch {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw error
        }
        port = Self.port(in: portFile)!
        rootURL = "http://127.0.0.1:\(port)"
    }

    deinit { stop() }

    /// `method path` on the server with `body` as JSON; any status is returned.
    public func control(_ method: String, _ path: String, body: JSONValue? = nil) throws -> HTTPClientResponse {
        let request = HTTPClientRequest(method: method, url: rootURL + path,
                                        headers: [(name: "Content-Type", value: "application/json")],
                                        body: body?.serializedBytes(), timeoutMilliseconds: 10_000)
        return try HTTPClient().send(request)
    }

    /// Every request the server recorded since it started or was last reset, oldest first.
    public func requests() throws -> [JSONValue] {
        let response = try control("GET", "/__requests")
        guard response.status == 200, let list = try JSONValue.parse(response.body).arrayValue else {
            throw TestSupportError("GET /__requests answered \(response.status): \(response.text)")
        }
        return list
    }

    /// Clears what the server recorded (and whatever else its `/__reset` forgets).
    public func reset() throws {
        let response = try control("POST", "/__reset")
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

    /// Everything the server wrote: its startup lines and one line per request.
    public var log: String { ProcessTable.read(logPath) }

    /// The port the server wrote once listening, or nil while the file is absent or incomplete.
    private static func port(in path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), text.hasSuffix("\n") else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
