@testable import AssistantHTTP
@testable import ChatEngine
import HTTP
import Logging
@testable import Operations
@testable import Policies
@testable import Store
import Testing

/// Who a request acts for: the authenticated user when nginx passes one, the client's `userId` otherwise,
/// and `REQUIRE_AUTH_USER` refusing requests without one.
@Suite("Request identity")
struct RequestIdentityTests {
    private func expectError(_ status: Int, _ code: String, _ body: () throws(APIError) -> Void,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("expected \(status) \(code), got no error", sourceLocation: sourceLocation)
        } catch {
            #expect(error.status == status, "\(error)", sourceLocation: sourceLocation)
            #expect(error.code.rawValue == code, "\(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("the authenticated user is the user; a userId naming anyone else is 403 user_mismatch")
    func authenticatedUserDecides() throws {
        #expect(try RequestIdentity.userId(authenticated: "alice", claimed: nil, in: "body") == "alice")
        #expect(try RequestIdentity.userId(authenticated: "alice", claimed: "alice", in: "body") == "alice")
        expectError(403, "user_mismatch") { () throws(APIError) in
            _ = try RequestIdentity.userId(authenticated: "alice", claimed: "mallory", in: "body")
        }
        // No folding of case or spaces: a different string is a different user.
        expectError(403, "user_mismatch") { () throws(APIError) in
            _ = try RequestIdentity.userId(authenticated: "alice", claimed: "Alice", in: "query string")
        }
    }

    @Test("without an authenticated user the client's userId is used, and is required")
    func claimedUserWithoutAuthentication() throws {
        #expect(try RequestIdentity.userId(authenticated: nil, claimed: "bob", in: "body") == "bob")
        expectError(400, "missing_field") { () throws(APIError) in
            _ = try RequestIdentity.userId(authenticated: nil, claimed: nil, in: "query string")
        }
    }

    @Test("REQUIRE_AUTH_USER refuses requests without a user except health and metrics")
    func requireAuthenticatedUser() throws {
        var settings = AuthenticationSettings()
        let thread = HTTPRequest(method: "GET", path: "/api/ai/assistant/thread")
        try RequestIdentity.requireAuthenticatedUser(thread, settings: settings)
        settings.requiresAuthenticatedUser = true
        expectError(401, "auth_required") { () throws(APIError) in
            try RequestIdentity.requireAuthenticatedUser(thread, settings: settings)
        }
        expectError(401, "auth_required") { () throws(APIError) in
            try RequestIdentity.requireAuthenticatedUser(HTTPRequest(method: "GET", path: "/api/ai/assistant/nothing"), settings: settings)
        }
        for path in ["/api/ai/assistant/health", "/api/ai/assistant/metrics"] {
            try RequestIdentity.requireAuthenticatedUser(HTTPRequest(method: "GET", path: path), settings: settings)
        }
        // Only the exact paths are open, as only they are routes.
        for path in ["/api/ai/assistant/health/", "/api/ai/assistant/metrics/", "/api/ai/assistant/metrics/."] {
            expectError(401, "auth_required") { () throws(APIError) in
                try RequestIdentity.requireAuthenticatedUser(HTTPRequest(method: "GET", path: path), settings: settings)
            }
        }
        try RequestIdentity.requireAuthenticatedUser(HTTPRequest(method: "GET", path: "/api/ai/assistant/thread",
                                                                 authenticatedUser: "alice"), settings: settings)
    }

    @Test("REQUIRE_AUTH_USER is read from the environment; anything but 1/0/true/false is refused")
    func settingsFromEnvironment() throws {
        #expect(try AuthenticationSettings(environment: [:]).requiresAuthenticatedUser == false)
        #expect(try AuthenticationSettings(environment: ["REQUIRE_AUTH_USER": "0"]).requiresAuthenticatedUser == false)
        #expect(try AuthenticationSettings(environment: ["REQUIRE_AUTH_USER": "1"]).requiresAuthenticatedUser == true)
        #expect(try AuthenticationSettings(environment: ["REQUIRE_AUTH_USER": " TRUE "]).requiresAuthenticatedUser == true)
        #expect(try AssistantConfiguration(environment: ["REQUIRE_AUTH_USER": "1"]).authentication.requiresAuthenticatedUser)
        do {
            _ = try AuthenticationSettings(environment: ["REQUIRE_AUTH_USER": "yes please"])
            Issue.record("accepted a malformed REQUIRE_AUTH_USER")
        } catch {
            #expect(error.variable == "REQUIRE_AUTH_USER")
        }
    }

    @Test("the endpoints act for the authenticated user")
    func endpoints() throws {
        let fixture = try StoreFixture(.sqlite)
        var configuration = AssistantConfiguration()
        configuration.authentication.requiresAuthenticatedUser = true
        let api = AssistantAPI(tools: .standard, store: try fixture.open(), configuration: configuration, logger: Logger(label: "test"))
        func call(_ method: String, _ path: String, query: String = "", body: String? = nil,
                  user: String?) -> (status: Int, json: [String: JSONValue]) {
            let request = HTTPRequest(method: method, path: "/api/ai/assistant/\(path)", query: QueryString.parse(query),
                                      headers: body == nil ? [:] : ["Content-Type": "application/json"],
                                      body: Array((body ?? "").utf8), authenticatedUser: user)
            let response = api.respond(to: request)
            return (response.status, (try? JSONCoding.decode([String: JSONValue].self, from: response.body)) ?? [:])
        }

        let mine = call("GET", "thread", user: "alice")
        #expect(mine.status == 200)
        #expect(mine.json["userId"] == .string("alice"))
        #expect(call("GET", "thread", query: "userId=alice", user: "alice").json["threadId"] == mine.json["threadId"])
        let theirs = call("GET", "thread", query: "userId=bob", user: "alice")
        #expect(theirs.status == 403)
        #expect(theirs.json["code"] == .string("user_mismatch"))
        #expect(call("DELETE", "thread", query: "userId=bob", user: "alice").status == 403)
        #expect(call("GET", "thread", query: "userId=", user: "alice").status == 400)

        // The identity is settled before anything else: a mismatch is 403 even though chat is not configured.
        let chat = call("POST", "chat", body: #"{"userId": "bob", "projectRef": "p", "message": "hi"}"#, user: "alice")
        #expect(chat.status == 403)
        #expect(chat.json["code"] == .string("user_mismatch"))
        let noUserId = call("POST", "chat", body: #"{"projectRef": "p", "message": "hi"}"#, user: "alice")
        #expect(noUserId.json["code"] == .string("model_not_configured"), "\(noUserId)")

        let anonymous = call("GET", "thread", query: "userId=alice", user: nil)
        #expect(anonymous.status == 401)
        #expect(anonymous.json["code"] == .string("auth_required"))
        let refused = api.respond(to: HTTPRequest(method: "POST", path: "/api/ai/assistant/setup"))
        #expect(refused.status == 401)
        #expect(refused.headers.contains { $0.name == "WWW-Authenticate" })
        #expect(call("GET", "health", user: nil).status == 200)

        let deleted = call("DELETE", "thread", user: "alice")
        #expect(deleted.json["threadId"] == mine.json["threadId"])
    }

    @Test("canonically equal spellings of a user id are one user, stored in NFC: userId in the query and body, and AUTH_USER")
    func unicodeEqualUsers() throws {
        let nfc = "Am\u{E9}lie", nfd = "Ame\u{301}lie"
        #expect(nfd.nfc.utf8.elementsEqual(nfc.utf8) && "alice".nfc == "alice")
        #expect("\u{212B}ngstr\u{F6}m".nfc.utf8.elementsEqual("\u{C5}ngstr\u{F6}m".utf8), "a singleton decomposition too")
        let fixture = try StoreFixture(.sqlite)
        let store = try fixture.open()
        let api = AssistantAPI(tools: .standard, store: try fixture.open(), configuration: AssistantConfiguration(), logger: Logger(label: "test"))
        func thread(query user: String) -> [String: JSONValue] {
            let response = api.respond(to: HTTPRequest(method: "GET", path: "/api/ai/assistant/thread",
                                                       query: ["userId": user]))
            return (try? JSONCoding.decode([String: JSONValue].self, from: response.body)) ?? [:]
        }
        let first = thread(query: nfd)
        #expect(first["userId"]?.stringValue?.utf8.elementsEqual(nfc.utf8) == true, "stored and answered in NFC: \(first)")
        #expect(thread(query: nfc)["threadId"] == first["threadId"], "the NFC spelling finds the same thread")
        let stored = try #require(try store.currentThread(userId: nfc))
        #expect(stored.userId.utf8.elementsEqual(nfc.utf8))
        #expect(try store.currentThread(userId: nfd) == nil, "the store compares bytes: only the NFC form is in it")

        // nginx's AUTH_USER in NFD, the body's userId in NFC: the same user, and the same thread.
        let authenticated = api.respond(to: HTTPRequest(method: "GET", path: "/api/ai/assistant/thread",
                                                        query: ["userId": nfc], authenticatedUser: nfd))
        #expect(authenticated.status == 200)
        let json = (try? JSONCoding.decode([String: JSONValue].self, from: authenticated.body)) ?? [:]
        #expect(json["threadId"] == first["threadId"], "\(json)")
        #expect(try RequestIdentity.userId(authenticated: nfc, claimed: try UserIdentifier.fromQuery(
            HTTPRequest(method: "GET", path: "/", query: ["userId": nfd])), in: "query string").utf8.elementsEqual(nfc.utf8))
    }
}
