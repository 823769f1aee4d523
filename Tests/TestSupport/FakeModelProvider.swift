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
public final class FakeModelProvider: Sendable {
    /// Base URL for a model client, with the `/v1` prefix: `http://127.0.0.1:PORT/v1`.
    public let baseURL: String
    /// The server's root, where the control API lives: `http://127.0.0.1:PORT`.
    public let rootURL: String
    /// The bearer key the fake accepts.
    public let apiKey: String
    private let server: PythonServer

    /// Starts the fake on a free port and waits (up to 30 s) until it listens.
    public init(apiKey: String = "sk-test") throws {
        self.apiKey = apiKey
        server = try PythonServer(script: "FakeProvider/fake_openai.py") { _ in
            var arguments = ["--api-key", apiKey]
            if let shared = TestEnvironment.sharedFolder {
                arguments += ["--openapi", "\(shared)/openai/openapi.yaml"]
            }
            return arguments
        }
        rootURL = server.rootURL
        baseURL = "\(rootURL)/v1"
    }

    /// Replaces the queue of scripted answers; each model call consumes the next step.
    public func script(_ steps: [JSONValue]) throws {
        try queue(steps, loop: false)
    }

    /// Replaces the queue of scripted answers with `steps` repeated forever: each model call takes the
    /// next step, which then goes to the back of the queue. For load and fault runs whose number of
    /// model calls is not known in advance (the queue is shared by every caller).
    public func scriptLoop(_ steps: [JSONValue]) throws {
        try queue(steps, loop: true)
    }

    private func queue(_ steps: [JSONValue], loop: Bool) throws {
        let response = try server.control("POST", "/__script", body: .object(["steps": .array(steps), "loop": .bool(loop)]))
        guard response.status == 200 else {
            throw TestSupportError("the fake provider refused the script: \(response.text)")
        }
    }

    /// Every model request received since the start or the last `reset()`, oldest first: objects with
    /// `method`, `path`, `headers` (Authorization masked but for its last 4 characters) and `body`.
    public func requests() throws -> [JSONValue] { try server.requests() }

    /// Clears the scripted steps, the recorded requests and what the fake remembers between calls.
    public func reset() throws { try server.reset() }

    /// Kills the server. Safe to call more than once.
    public func stop() { server.stop() }

    /// Everything the server wrote: its startup lines and one line per request.
    public var log: String { server.log }
}
