import AssistantHTTP
import ChatEngine
import HTTP
import Logging
import Operations
import Policies
import Store
import Testing
import Tools
import ToolsCore

/// The endpoints answered in-process against a real SQLite store (the same code runs behind nginx).
@Suite("Assistant API")
struct AssistantAPITests {
    let fixture: StoreFixture
    let api: AssistantAPI

    init() throws {
        fixture = try StoreFixture(.sqlite)
        api = AssistantAPI(tools: .standard, store: try fixture.open(), configuration: AssistantConfiguration(maxMessageCharacters: 20),
                           logger: Logger(label: "test"))
    }

    private func call(_ method: String, _ path: String, query: String = "", body: String? = nil,
                      type: String = "application/json") -> (status: Int, json: [String: JSONValue], response: HTTPResponse) {
        let request = HTTPRequest(method: method, path: "/api/ai/assistant/\(path)", query: QueryString.parse(query),
                                  headers: body == nil ? [:] : ["Content-Type": type], body: Array((body ?? "").utf8))
        let response = api.respond(to: request)
        let json = (try? JSONCoding.decode([String: JSONValue].self, from: response.body)) ?? [:]
        return (response.status, json, response)
    }

    @Test("GET /thread creates the thread on first call and returns the same one after")
    func getThread() {
        let first = call("GET", "thread", query: "userId=u1")
        #expect(first.status == 200)
        guard case .string(let id)? = first.json["threadId"] else { Issue.record("no threadId"); return }
        #expect(first.json["userId"] == .string("u1"))
        #expect(first.json["messageCount"] == .number(0))
        #expect(first.json["messages"] == nil)
        let again = call("GET", "thread", query: "userId=u1")
        #expect(again.json["threadId"] == .string(id))
        #expect(again.json["createdAt"] == first.json["createdAt"])
    }

    @Test("GET /thread with messages=1 pages through stored messages")
    func messages() throws {
        let thread = try fixture.open().currentOrNewThread(userId: "u2", projectRef: nil)
        let store = try fixture.open()
        for index in 1...5 { _ = try store.appendMessage(threadId: thread.id, NewMessage(role: "user", content: "m\(index)")) }
        _ = try store.appendMessage(threadId: thread.id, NewMessage(role: "tool", toolCallId: "call_1", toolResult: #"{"success":true}"#))
        let page = call("GET", "thread", query: "userId=u2&messages=1&limit=4")
        #expect(page.json["messageCount"] == .number(6))
        guard case .array(let messages)? = page.json["messages"] else { Issue.record("no messages"); return }
        #expect(messages.count == 4)
        #expect(page.json["hasMore"] == .bool(true))
        #expect(page.json["nextBefore"] == .number(3))
        if case .object(let last)? = messages.last {
            #expect(last["toolResult"] == .object(["success": .bool(true)]))
        }
        let older = call("GET", "thread", query: "userId=u2&messages=1&limit=4&before=3")
        guard case .array(let rest)? = older.json["messages"] else { Issue.record("no messages"); return }
        #expect(rest.count == 2)
        #expect(older.json["hasMore"] == .bool(false))
    }

    @Test("DELETE /thread retires the thread; deleting again reports nothing deleted")
    func deleteThread() {
        let id = call("GET", "thread", query: "userId=u3").json["threadId"]
        let deleted = call("DELETE", "thread", query: "userId=u3")
        #expect(deleted.status == 200)
        #expect(deleted.json["deleted"] == .bool(true))
        #expect(deleted.json["threadId"] == id)
        let again = call("DELETE", "thread", query: "userId=u3")
        #expect(again.status == 200)
        #expect(again.json["deleted"] == .bool(false))
        #expect(again.json["threadId"] == .null)
        #expect(call("GET", "thread", query: "userId=u3").json["threadId"] != id)
    }

    @Test("thread requests without a usable userId or with bad paging are 400s naming the parameter")
    func threadValidation() {
        let cases: [(String, String)] = [("", "userId"), ("userId=", "userId"), ("userId=a&limit=0", "limit"),
                                         ("userId=a&limit=x", "limit"), ("userId=a&before=-1", "before"),
                                         ("userId=a&messages=maybe", "messages"), ("userId=a%01b", "userId")]
        for (query, field) in cases {
            let result = call("GET", "thread", query: query)
            #expect(result.status == 400, "query \(query)")
            if case .string(let message)? = result.json["error"] { #expect(message.contains("'\(field)'"), "query \(query)") }
        }
    }

    @Test("POST /setup creates the definition (201), then updates it (200) with a new version")
    func setup() {
        let created = call("POST", "setup")
        #expect(created.status == 201)
        #expect(created.json["created"] == .bool(true))
        #expect(created.json["model"] == .string("gpt-5.4"))
        #expect(created.json["tools"] == .array(ToolRegistry.standard.names.map(JSONValue.string)))
        #expect(created.json["tools"]?.arrayValue?.contains(.string("run_sql")) == true)
        let updated = call("POST", "setup", body: #"{"model": "gpt-5.4-mini", "name": "DB helper"}"#)
        #expect(updated.status == 200)
        #expect(updated.json["created"] == .bool(false))
        #expect(updated.json["assistantId"] == created.json["assistantId"])
        #expect(updated.json["version"] == .number(2))
        #expect(updated.json["name"] == .string("DB helper"))
    }

    @Test("POST /setup refuses unknown fields, bad model names and non-JSON bodies")
    func setupValidation() {
        #expect(call("POST", "setup", body: #"{"modle": "x"}"#).json["code"] == .string("unknown_field"))
        #expect(call("POST", "setup", body: #"{"model": "a b"}"#).status == 400)
        #expect(call("POST", "setup", body: "model=x", type: "application/x-www-form-urlencoded").status == 415)
    }

    @Test("POST /chat validates every field before answering model_not_configured")
    func chatValidation() {
        let invalid: [(String, String)] = [
            (#"{"projectRef": "p", "message": "hi"}"#, "missing_field"),
            (#"{"userId": "u", "message": "hi"}"#, "missing_field"),
            (#"{"userId": "u", "projectRef": "p"}"#, "missing_field"),
            (#"{"userId": "u", "projectRef": "p", "message": ""}"#, "invalid_field"),
            (#"{"userId": "u", "projectRef": "p", "message": 5}"#, "invalid_field"),
            (#"{"userId": "u", "projectRef": "p", "message": "this message is far too long"}"#, "invalid_field"),
            (#"{"userId": "u", "projectRef": "p", "message": "hi", "approve": "act_1"}"#, "invalid_field"),
            (#"{"userId": "u", "projectRef": "p", "approve": "act_1"}"#, "missing_field"),
            (#"{"userId": "u", "projectRef": "p", "message": "hi", "stream": "yes"}"#, "invalid_field"),
            (#"["u"]"#, "invalid_json"),
        ]
        for (body, code) in invalid {
            let result = call("POST", "chat", body: body)
            #expect(result.status == 400, "body \(body)")
            #expect(result.json["code"] == .string(code), "body \(body)")
        }
        let valid = call("POST", "chat", body: #"{"userId": "u", "projectRef": "p", "message": "hi", "connectionString": "postgres://x:secret@h/db"}"#)
        #expect(valid.status == 503)
        #expect(valid.json["code"] == .string("model_not_configured"))
        #expect(!String(decoding: valid.response.body, as: UTF8.self).contains("secret"))
        let approval = call("POST", "chat", body: #"{"userId": "u", "projectRef": "p", "threadId": "t", "approve": "act_1"}"#)
        #expect(approval.status == 503)
    }

    @Test("health reports the store kind")
    func health() {
        let result = call("GET", "health")
        #expect(result.status == 200)
        #expect(result.json == ["status": .string("ok"), "store": .string("sqlite")])
    }
}
