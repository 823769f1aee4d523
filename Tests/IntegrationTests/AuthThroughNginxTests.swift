import Foundation
import HTTPClient
import JSON
import TestSupport
import Testing

/// Authentication and rate limiting as deployed: nginx with the shipped `pgassist-auth.conf` asking an
/// auth service (the stand-in) about every request, and the workers acting for the user it names.
@Suite("Authentication through nginx", .serialized)
struct AuthThroughNginxTests {
    /// The stand-in's table: `tok-empty` is accepted without a user, `tok-banned` is answered 403.
    static let users = ["tok-alice": "alice", "tok-bob": "bob", "tok-carol": "carol", "tok-dave": "dave", "tok-empty": ""]

    private func bearer(_ token: String) -> [(String, String)] { [("Authorization", "Bearer \(token)")] }

    private func withAuthService(environment: [String: String] = [:],
                                 _ body: (Service, AuthStandIn) throws -> Void) throws {
        let auth = try AuthStandIn(users: Self.users, forbidden: ["tok-banned"])
        defer { auth.stop() }
        let service = try Service(store: .sqlite, workers: 2, threads: 2, environment: environment, authURL: auth.baseURL)
        defer { service.stop() }
        try body(service, auth)
    }

    @Test("no token, an unknown token or a refused one get nginx's 401/403 in the JSON error shape; health stays open")
    func refusals() throws {
        try withAuthService { service, auth in
            let cases: [(method: String, path: String, body: String?, headers: [(String, String)], status: Int, code: String)] = [
                ("GET", "/api/ai/assistant/thread?userId=alice", nil, [], 401, "unauthorized"),
                ("POST", "/api/ai/assistant/chat", #"{"userId":"alice","projectRef":"p","message":"hi"}"#, [], 401, "unauthorized"),
                ("GET", "/api/ai/assistant/thread", nil, [("Authorization", "Bearer tok-nobody")], 401, "unauthorized"),
                ("GET", "/api/ai/assistant/thread", nil, [("Authorization", "Basic dG9rLWFsaWNlOg==")], 401, "unauthorized"),
                ("POST", "/api/ai/assistant/setup", nil, [("Authorization", "Bearer tok-banned")], 403, "forbidden"),
            ]
            for item in cases {
                let response = try service.request(item.method, item.path, body: item.body, headers: item.headers)
                let label = "\(item.method) \(item.path) → \(response.status) \(response.text.prefix(200))"
                #expect(response.status == item.status, "\(label)\n\(auth.log)")
                #expect(response.errorCode == item.code, "\(label)")
                #expect(response.isJSONError, "\(label)")
                #expect(response.header("X-Content-Type-Options") == "nosniff", "\(label)")
                if item.status == 401 {
                    #expect(response.headers.filter { $0.name.lowercased() == "www-authenticate" }.count == 1, "\(response.headers)")
                }
            }
            let health = try service.request("GET", "/api/ai/assistant/health")
            #expect(health.status == 200)
        }
    }

    @Test("a good token's user owns the thread: userId may be left out, another user's is 403 user_mismatch")
    func tokenDecidesTheUser() throws {
        try withAuthService { service, auth in
            let mine = try service.request("GET", "/api/ai/assistant/thread?projectRef=abcd", headers: bearer("tok-alice"))
            #expect(mine.status == 200, "\(mine.text)")
            #expect(mine.json["userId"] as? String == "alice")
            let threadId = try #require(mine.json["threadId"] as? String)
            let same = try service.request("GET", "/api/ai/assistant/thread?userId=alice", headers: bearer("tok-alice"))
            #expect(same.json["threadId"] as? String == threadId)

            for (method, path, body) in [("GET", "/api/ai/assistant/thread?userId=bob", nil),
                                         ("DELETE", "/api/ai/assistant/thread?userId=bob", nil),
                                         ("POST", "/api/ai/assistant/chat", #"{"userId":"bob","projectRef":"p","message":"hi"}"#)] {
                let response = try service.request(method, path, body: body, headers: bearer("tok-alice"))
                #expect(response.status == 403, "\(method) \(path): \(response.text)")
                #expect(response.errorCode == "user_mismatch")
                #expect(response.isJSONError)
            }
            // Without userId the chat request gets past identity (and stops at the missing model).
            let chat = try service.request("POST", "/api/ai/assistant/chat", body: #"{"projectRef":"p","message":"hi"}"#,
                                           headers: bearer("tok-alice"))
            #expect(chat.errorCode == "model_not_configured", "\(chat.text)")

            // Bob's token deletes Bob's thread (none), never Alice's.
            let bobs = try service.request("DELETE", "/api/ai/assistant/thread", headers: bearer("tok-bob"))
            #expect(bobs.json["deleted"] as? Bool == false)
            #expect(try service.request("GET", "/api/ai/assistant/thread", headers: bearer("tok-alice")).json["threadId"] as? String == threadId)

            // What the auth service saw: a GET on /verify with the credentials and the original URI, never the body.
            let seen = try auth.requests()
            let chatCheck = try #require(seen.first { $0["headers"]?["X-Original-Method"]?.stringValue == "POST" }, "\(seen)")
            #expect(chatCheck["method"]?.stringValue == "GET")
            #expect(chatCheck["path"]?.stringValue == "/verify")
            #expect(chatCheck["headers"]?["Authorization"]?.stringValue == "…lice")
            #expect(chatCheck["headers"]?["X-Original-URI"]?.stringValue == "/api/ai/assistant/chat")
            #expect(chatCheck["headers"]?["Content-Length"] == nil)
            #expect(chatCheck["bodyBytes"] == .number(0))
        }
    }

    @Test("the auth service's user in NFD or in NFC is one user: the same thread, stored in NFC")
    func unicodeEqualUsers() throws {
        let nfc = "Am\u{E9}lie", nfd = "Ame\u{301}lie"
        let auth = try AuthStandIn(users: ["tok-nfd": nfd, "tok-nfc": nfc])
        defer { auth.stop() }
        let service = try Service(store: .sqlite, workers: 1, threads: 2, authURL: auth.baseURL)
        defer { service.stop() }
        let first = try service.request("GET", "/api/ai/assistant/thread", headers: bearer("tok-nfd"))
        #expect(first.status == 200, "\(first.text)\n\(service.logs)")
        #expect((first.json["userId"] as? String)?.utf8.elementsEqual(nfc.utf8) == true, "\(first.text)")
        let second = try service.request("GET", "/api/ai/assistant/thread", headers: bearer("tok-nfc"))
        #expect(second.json["threadId"] as? String == first.json["threadId"] as? String, "\(second.text)")
        // A userId in the other spelling names the same user: no user_mismatch.
        let body = #"{"userId":"Am\#u{E9}lie","projectRef":"p","message":"hi"}"#
        let chat = try service.request("POST", "/api/ai/assistant/chat", body: body, headers: bearer("tok-nfd"))
        #expect(chat.errorCode == "model_not_configured", "\(chat.text)")
    }

    @Test("a client's own AUTH_USER / X-Auth-User headers never set the user")
    func forgedIdentity() throws {
        try withAuthService(environment: ["REQUIRE_AUTH_USER": "1"]) { service, _ in
            let forged: [(String, String)] = [("X-Auth-User", "mallory"), ("Auth-User", "mallory"), ("AUTH_USER", "mallory"),
                                              ("Remote-User", "mallory")]
            let withToken = try service.request("GET", "/api/ai/assistant/thread", headers: bearer("tok-alice") + forged)
            #expect(withToken.status == 200, "\(withToken.text)")
            #expect(withToken.json["userId"] as? String == "alice")
            let withoutToken = try service.request("GET", "/api/ai/assistant/thread", headers: forged)
            #expect(withoutToken.status == 401)
            #expect(withoutToken.errorCode == "unauthorized")
            // The auth service accepts this token but names no user: the forged header does not fill the gap,
            // and REQUIRE_AUTH_USER keeps the body's or query's userId from being trusted.
            let noUser = try service.request("GET", "/api/ai/assistant/thread?userId=mallory", headers: bearer("tok-empty") + forged)
            #expect(noUser.status == 401, "\(noUser.text)")
            #expect(noUser.errorCode == "auth_required")
            #expect(noUser.isJSONError)
        }
    }

    @Test("REQUIRE_AUTH_USER=1 with no authentication in nginx refuses every endpoint but health")
    func requiredWithoutAuthentication() throws {
        let service = try Service(store: .sqlite, workers: 2, threads: 2, environment: ["REQUIRE_AUTH_USER": "1"])
        defer { service.stop() }
        let forged = [("X-Auth-User", "alice"), ("Auth-User", "alice")]
        for (method, path, body) in [("GET", "/api/ai/assistant/thread?userId=alice", nil),
                                     ("DELETE", "/api/ai/assistant/thread?userId=alice", nil),
                                     ("POST", "/api/ai/assistant/setup", nil),
                                     ("POST", "/api/ai/assistant/chat", #"{"userId":"alice","projectRef":"p","message":"hi"}"#)] {
            let response = try service.request(method, path, body: body, headers: forged)
            #expect(response.status == 401, "\(method) \(path): \(response.text)")
            #expect(response.errorCode == "auth_required")
            #expect(response.isJSONError)
        }
        let health = try service.request("GET", "/api/ai/assistant/health")
        #expect(health.status == 200, "\(health.text)")
    }

    @Test("a burst beyond the limit with one token gets 429 rate_limited while another token still passes")
    func rateLimitPerCredential() throws {
        try withAuthService { service, auth in
            // The template allows 20 requests/s with a burst of 50 per credential: 200 requests in
            // rounds of 10 at once go over unless they take more than 7 s.
            let url = "\(service.baseURL)/api/ai/assistant/thread"
            var statuses: [Int] = []
            var limited: HTTPClientResponse?
            for _ in 0..<20 {
                let responses = try concurrently(10) { _ in
                    try HTTPClient().send(HTTPClientRequest(url: url, headers: [(name: "Authorization", value: "Bearer tok-carol")]))
                }
                statuses += responses.map(\.status)
                limited = limited ?? responses.first { $0.status == 429 }
            }
            let counts = Dictionary(grouping: statuses, by: { $0 }).mapValues(\.count)
            #expect(Set(statuses).isSubset(of: [200, 429]), "\(counts)\n\(service.logs)")
            #expect((counts[429] ?? 0) > 0, "\(counts)")
            #expect((counts[200] ?? 0) >= 51, "\(counts)")
            let refusal = try #require(limited)
            #expect(refusal.errorCode == "rate_limited")
            #expect(refusal.isJSONError)

            let other = try service.request("GET", "/api/ai/assistant/thread", headers: bearer("tok-dave"))
            #expect(other.status == 200, "\(other.text)")
            #expect(other.json["userId"] as? String == "dave")
            // Refused requests never reached the auth service: limit_req comes first.
            let checks = try auth.requests().filter { $0["headers"]?["Authorization"]?.stringValue == "…arol" }.count
            #expect(checks == counts[200] ?? 0)
        }
    }
}
