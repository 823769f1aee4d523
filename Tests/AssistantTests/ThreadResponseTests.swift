@testable import AssistantHTTP
@testable import ChatEngine
import HTTP
import Logging
@testable import Operations
@testable import Policies
@testable import Store
import Testing

/// `GET /thread` writes its body with `JSONWriter`; it must stay byte for byte what the encoder wrote.
@Suite("Thread response")
struct ThreadResponseTests {
    @Test("the written body is the encoder's bytes, with and without projectRef, for awkward text")
    func writtenMatchesEncoder() throws {
        let texts = ["plain", #"quote"and\back/slash"#, "é 中文 😀", "\u{2028}\u{7F}", "tab\tnew\nline\u{1}", ""]
        for (index, text) in texts.enumerated() {
            let record = ThreadRecord(id: "thread_\(index)", userId: text, projectRef: index % 2 == 0 ? "ref/\(text)" : nil,
                                      messageCount: index * 1_000_003, createdAt: 1_764_000_000_000 + Int64(index),
                                      updatedAt: 253_402_300_799_999 - Int64(index))
            let response = ThreadResponse(thread: record, page: nil)
            #expect(response.writtenJSON == (try JSONCoding.encode(response)), "text #\(index)")
        }
    }

    @Test("with messages the encoder writes the body")
    func messagesUseTheEncoder() {
        let record = ThreadRecord(id: "t", userId: "u", projectRef: nil, messageCount: 0, createdAt: 0, updatedAt: 0)
        #expect(ThreadResponse(thread: record, page: MessagePage(messages: [], hasMore: false)).writtenJSON == nil)
    }

    @Test("GET /thread answers the encoder's bytes for the stored thread, as application/json")
    func endpointBody() throws {
        let fixture = try StoreFixture(.sqlite)
        let store = try fixture.open()
        let api = AssistantAPI(tools: .standard, store: store, configuration: AssistantConfiguration(), logger: Logger(label: "test"))
        let request = HTTPRequest(method: "GET", path: "/api/ai/assistant/thread",
                                  query: ["userId": "a\"b/é", "projectRef": "p"])
        let first = api.respond(to: request)
        let record = try #require(try store.currentThread(userId: "a\"b/é"))
        #expect(first.status == 200)
        #expect(first.body == (try JSONCoding.encode(ThreadResponse(thread: record, page: nil))))
        #expect(first.headers.map(\.name) == ["Content-Type"])
        #expect(first.header("content-type") == "application/json")
    }
}
