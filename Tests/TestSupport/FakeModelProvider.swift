import Foundation
import HTTPClient
import JSON

/// The scripted OpenAI-compatible model provider (`Tests/FakeProvider/fake_openai.py`), the only
/// stand-in our tests use for a model: it speaks the Responses API and Chat Completions, JSON and
/// SSE, and refuses what the real API refuses.
///
/// Each model call consumes the next scripted step, e.g. `["text": "Hi"]`,
/// `["toolCalls": [["name": "list_tables", "arguments": "{}"]]]` or
/// `["error": ["status": 429, "headers": ["retry-after-ms": "10"]]]`; the step format is described
/// at the top of the Python file. When `../shared/openai/openapi.yaml` exists, request bodies are
/// also validated against the published OpenAPI description.
public final class FakeModelProvider: @unchecked Sendable {
    /// Base URL for a model client, with the `/v1` prefix: `http://127.0.0.1:PORT/v1`.
    public let baseURL: String
    /// The server's root, where the control API lives: `http://127.0.0.1:PORT`.
    public let rootURL: String
    /// The bearer key the fake accepts.
    public let apiKey: String
    private let directory: TemporaryDirectory
    private let process: Process
    private let lock = NSLock()
    private var stopped = false

    /// Starts the fake on a free port and waits (up to 30 s) until it listens.
    public init(apiKey: String = "sk-test") throws {
        self.apiKey = apiKey
        directory = try TemporaryDirectory(prefix: "pgassist-fake-openai")
        let portFile = directory.file("port")
        let logPath = directory.file("fake_openai.log")
        var arguments = ["python3", "\(TestEnvironment.repositoryRoot)/Tests/FakeProvider/fake_openai.py",
                         "--port", "0", "--port-file", portFile, "--api-key", apiKey]
        if let shared = TestEnvironment.sharedFolder {
            arguments += ["--openapi", "\(shared)/openai/openapi.yaml"]
        }
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
        rootURL = "http://127.0.0.1:\(port)"
        baseURL = "\(rootURL)/v1"
    }

    deinit { stop() }

    /// Replaces the queue of scripted answers; each model call consumes the next step.
    public func script(_ steps: [JSONValue]) throws {
        let response = try control("POST", "/__script", body: .object(["steps": .array(steps)]))
        guard response.status == 200 else {
            throw TestSupportError("the fake provider refused the script: \(response.text)")
        }
    }

    /// Every model request received since the start or the last `reset()`, oldest first: objects with
    /// `method`, `path`, `headers` (Authorization masked but for its last 4 characters) and `body`.
    public func requests() throws -> [JSONValue] {
        let response = try control("GET", "/__requests")
        guard response.status == 200, let list = try JSONValue.parse(response.body).arrayValue else {
            throw TestSupportError("GET /__requests answered \(response.status): \(response.text)")
        }
        return list
    }

    /// Clears the scripted steps, the recorded requests and what the fake remembers between calls.
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
    public var log: String { ProcessTable.read(directory.file("fake_openai.log")) }

    private func control(_ method: String, _ path: String, body: JSONValue? = nil) throws -> HTTPClientResponse {
        let request = HTTPClientRequest(method: method, url: rootURL + path,
                                        headers: [(name: "Content-Type", value: "application/json")],
                                        body: body?.serializedBytes(), timeoutMilliseconds: 10_000)
        return try HTTPClient().send(request)
    }

    /// The port the server wrote once listening, or nil while the file is absent or incomplete.
    private static func port(in path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), text.hasSuffix("\n") else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
