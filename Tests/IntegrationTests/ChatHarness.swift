import Foundation
import HTTPClient
import JSON
import TestSupport

/// A whole deployment for chat tests: the fake model provider, a fixture database holding the user's
/// tables, and nginx in front of spawn-fcgi workers pointed at both.
final class ChatHarness {
    let provider: FakeModelProvider
    let service: Service
    /// The user's database (the fixture schema), sent as `connectionString`.
    let databaseURL: String

    /// Starts everything; `style` is `responses` or `chat-completions`, `store` `sqlite` or `postgres`.
    init(style: String = "responses", store: String = "sqlite", workers: Int = 2, threads: Int = 2,
         environment: [String: String] = [:]) throws {
        provider = try FakeModelProvider()
        databaseURL = try FixtureDatabase.create(prefix: "chatdb")
        let kind: Service.Store = store == "postgres"
            ? .postgres(url: try PostgresServer.shared().createDatabase(prefix: "chatstore"))
            : .sqlite
        var settings = ["OPENAI_BASE_URL": provider.baseURL, "OPENAI_API_KEY": provider.apiKey,
                        "OPENAI_MODEL": "gpt-test", "OPENAI_API_STYLE": style, "LOG_LEVEL": "info",
                        // The fixture database is on the test server, on a port of its own, which ALLOWED_DB_HOSTS
                        // names (the default allows port 5432 only).
                        "ALLOW_REQUEST_CONNECTION_STRING": "1", "ALLOWED_DB_HOSTS": allowedHostEntry(databaseURL)]
        settings.merge(environment) { _, given in given }
        service = try Service(store: kind, workers: workers, threads: threads, environment: settings)
    }

    deinit { stop() }

    func stop() {
        service.stop()
        provider.stop()
    }

    /// `POST /api/ai/assistant/chat` with `fields` plus userId, projectRef and connectionString.
    func chat(_ fields: [String: JSONValue], userId: String = "ada", headers: [(String, String)] = []) throws -> HTTPClientResponse {
        var body: [String: JSONValue] = ["userId": .string(userId), "projectRef": .string("proj_1"),
                                         "connectionString": .string(databaseURL)]
        body.merge(fields) { _, given in given }
        return try service.request("POST", "/api/ai/assistant/chat", body: JSONValue.object(body).serialized(), headers: headers)
    }

    /// A chat message.
    func say(_ text: String, userId: String = "ada", threadId: String? = nil) throws -> HTTPClientResponse {
        var fields: [String: JSONValue] = ["message": .string(text)]
        if let threadId { fields["threadId"] = .string(threadId) }
        return try chat(fields, userId: userId)
    }

    /// The thread's stored messages, oldest first.
    func messages(userId: String = "ada") throws -> [[String: Any]] {
        let response = try service.request("GET", "/api/ai/assistant/thread?userId=\(userId)&messages=1&limit=200")
        return response.json["messages"] as? [[String: Any]] ?? []
    }

    /// Failure text with the logs of every part.
    var logs: String { "\(service.logs)\n--- fake provider\n\(provider.log)" }
}

/// A script step: the model answers with text.
func textStep(_ text: String) -> JSONValue { .object(["text": .string(text)]) }

/// A script step: the model calls tools, `(name, arguments JSON)` each.
func toolStep(_ calls: [(String, String)], text: String? = nil) -> JSONValue {
    var step: [String: JSONValue] = ["toolCalls": .array(calls.map { call in
        .object(["name": .string(call.0), "arguments": .string(call.1)])
    })]
    if let text { step["text"] = .string(text) }
    return .object(step)
}
