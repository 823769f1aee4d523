import ChatEngine
import JSON
import Logging
import Model
import Policies
import Postgres
import Store
import TestSupport
import Tools
import ToolsCore

/// A chat service as one worker thread has it, on real parts: a SQLite thread store in a temporary directory, a
/// PostgreSQL database of its own for the tools, and the fake model provider.
final class ChatServiceFixture: @unchecked Sendable {
    let directory: TemporaryDirectory
    let provider: FakeModelProvider
    /// The tools' database.
    let database: String
    let store: SQLThreadStore
    let service: ChatService
    let configuration: AssistantConfiguration

    /// A fixture whose deployment gates `approvalTools` and keeps approvals `approvalSeconds` seconds.
    init(approvalTools: Set<String> = [], approvalSeconds: Int = 600) throws {
        directory = try TemporaryDirectory(prefix: "pgassist-chat-engine")
        provider = try FakeModelProvider()
        database = try FixtureDatabase.create(prefix: "engine")
        let connection = try PostgresConnection(connectionString: database)
        _ = try connection.query("CREATE TABLE items (id int PRIMARY KEY, name text)")
        _ = try connection.query("INSERT INTO items VALUES (1, 'pen')")
        var configuration = try AssistantConfiguration(environment: [
            "OPENAI_BASE_URL": provider.baseURL, "OPENAI_API_KEY": provider.apiKey, "OPENAI_MODEL": "gpt-test",
            "THREAD_STORE_URL": "sqlite://\(directory.file("threads.db"))",
            "ALLOW_REQUEST_CONNECTION_STRING": "1", "ALLOWED_DB_HOSTS": allowedHostEntry(database),
        ])
        configuration.chat.approvalTools = approvalTools
        configuration.tools.approvalLifetimeSeconds = approvalSeconds
        self.configuration = configuration
        store = try SQLThreadStore(location: configuration.storeLocation, busyTimeoutMilliseconds: 10_000)
        let logger = Logger(label: "chat-engine-tests")
        let model = configuration.model
        let resources = ChatResources(hostPolicy: DatabaseHostPolicy(settings: configuration.projects))
        service = ChatService(store: store, configuration: configuration, resources: resources, tools: .standard,
                              logger: logger, modelClient: { makeModelClient(model, logger: logger) })
    }

    deinit {
        provider.stop()
        directory.remove()
    }

    /// A command of user `alice` on project `shop`, with the fixture's database.
    func command(_ intent: ChatCommand.Intent, threadId: String? = nil) -> ChatCommand {
        ChatCommand(userId: "alice", projectRef: "shop", threadId: threadId, connectionString: database, intent: intent)
    }

    /// Starts `intent` and expects a run to drive; drives it to its end, reporting to `events`.
    func drive(_ intent: ChatCommand.Intent, threadId: String? = nil, events: RecordedEvents = RecordedEvents()) throws -> ChatReply {
        guard case .run(let prepared) = try service.start(command(intent, threadId: threadId)) else {
            throw TestSupportError("expected a run to drive for \(intent)")
        }
        return prepared.drive(events: events)
    }

    /// A one-value query on the tools' database.
    func scalar(_ sql: String) throws -> String? {
        try PostgresConnection(connectionString: database).query(sql).string(0, 0)
    }
}

/// A model answer with text only.
func textStep(_ text: String) -> JSONValue { .object(["text": .string(text)]) }

/// A model answer that calls `name` with `arguments`.
func toolStep(_ name: String, _ arguments: String) -> JSONValue {
    .object(["toolCalls": .array([.object(["name": .string(name), "arguments": .string(arguments)])])])
}
