import AssistantHTTP
import ChatEngine
import HTTP
import Logging
import Operations
import Policies
import Store
import TestSupport
import Testing

/// What clients get while the PostgreSQL store cannot be reached: a 503 they can retry, never a crash or a hang.
@Suite("Store unavailable")
struct UnavailableStoreTests {
    private func api() throws -> AssistantAPI {
        let port = try freeTCPPort()
        let store = SQLThreadStore(database: PostgresDatabase(connectionString: "postgresql://app:Hidden-Pw@127.0.0.1:\(port)/app",
                                                              connectTimeoutSeconds: 2))
        return AssistantAPI(tools: .standard, store: store, configuration: AssistantConfiguration(), logger: Logger(label: "test"))
    }

    @Test("health answers 503 with the store kind and the error shape")
    func health() throws {
        let response = try api().respond(to: HTTPRequest(method: "GET", path: "/api/ai/assistant/health"))
        #expect(response.status == 503)
        let body = try JSONValue.parse(response.body)
        #expect(body["status"] == .string("unavailable"))
        #expect(body["store"] == .string("postgres"))
        #expect(body["code"] == .string("store_unavailable"))
    }

    @Test("thread requests answer 503 store_unavailable with Retry-After and no secret")
    func thread() throws {
        let response = try api().respond(to: HTTPRequest(method: "GET", path: "/api/ai/assistant/thread", query: ["userId": "u"]))
        #expect(response.status == 503)
        #expect(response.header("Retry-After") != nil)
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(text.contains("store_unavailable"))
        #expect(!text.contains("Hidden-Pw"))
    }
}
