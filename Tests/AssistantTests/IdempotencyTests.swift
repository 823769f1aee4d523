@testable import AssistantHTTP
@testable import ChatEngine
import Crypto
import Foundation
import HTTP
import Logging
import Model
@testable import Operations
import Platform
@testable import Policies
@testable import Store
import TestSupport
import Testing

/// Idempotency keys in the store, on both databases: claim, complete, replay, conflicts, expiry and races.
@Suite("Idempotency keys")
struct IdempotencyTests {
    static let kinds: [StoreKind] = [.sqlite, .postgres]
    /// How long a running claim holds in these tests, in milliseconds.
    static let timeout: Int64 = 60_000

    private func claim(_ store: SQLThreadStore, user: String = "u1", key: String = "k1", hash: String = "h1",
                       at now: Int64 = WallClock.nowMilliseconds()) throws -> IdempotencyClaim {
        try store.claimIdempotencyKey(userId: user, key: key, requestHash: hash, now: now, runningTimeoutMilliseconds: Self.timeout)
    }

    @Test("the first request claims the key; while it runs a retry is in progress; once done the retry gets its answer",
          arguments: kinds)
    func claimCompleteReplay(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.open()
        guard case .claimed(let at) = try claim(store) else { Issue.record("not claimed"); return }
        let other = try fixture.open()
        #expect(try claim(other) == .inProgress)
        let answer = IdempotentResponse(status: 200, body: #"{"runId":"run_1"}"#)
        #expect(try store.completeIdempotencyKey(userId: "u1", key: "k1", claimedAt: at, response: answer))
        #expect(try claim(other) == .replay(answer))
        #expect(try claim(store) == .replay(answer), "replays as often as asked")
        #expect(try !store.completeIdempotencyKey(userId: "u1", key: "k1", claimedAt: at, response: answer),
                "a claim completes once")
    }

    @Test("the same key with another body is a mismatch, running or done; keys belong to their user", arguments: kinds)
    func mismatchAndUsers(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.open()
        guard case .claimed(let at) = try claim(store) else { Issue.record("not claimed"); return }
        #expect(try claim(store, hash: "h2") == .mismatch)
        if case .claimed = try claim(store, user: "u2") {} else { Issue.record("another user's key of the same name was refused") }
        try store.completeIdempotencyKey(userId: "u1", key: "k1", claimedAt: at, response: IdempotentResponse(status: 502, body: "{}"))
        #expect(try claim(store, hash: "h2") == .mismatch)
        #expect(try claim(store) == .replay(IdempotentResponse(status: 502, body: "{}")), "error answers replay too")
    }

    @Test("a released claim can be claimed again at once", arguments: kinds)
    func release(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.open()
        guard case .claimed(let at) = try claim(store) else { Issue.record("not claimed"); return }
        try store.releaseIdempotencyKey(userId: "u1", key: "k1", claimedAt: at)
        if case .claimed = try claim(store, hash: "h2") {} else { Issue.record("the released key stayed taken") }
    }

    @Test("a running claim past its timeout is taken over by a retry of the same body; the dead request cannot complete it",
          arguments: kinds)
    func staleClaim(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.open()
        let now = WallClock.nowMilliseconds()
        guard case .claimed(let dead) = try claim(store, at: now - Self.timeout - 1_000) else { Issue.record("not claimed"); return }
        #expect(try claim(store, hash: "h2", at: now) == .mismatch, "another body does not take a dead claim")
        guard case .claimed(let retaken) = try claim(store, at: now) else { Issue.record("the dead claim was not taken over"); return }
        #expect(retaken == now)
        #expect(try claim(store, at: now + 1) == .inProgress)
        #expect(try !store.completeIdempotencyKey(userId: "u1", key: "k1", claimedAt: dead,
                                                  response: IdempotentResponse(status: 200, body: "{}")))
        #expect(try store.completeIdempotencyKey(userId: "u1", key: "k1", claimedAt: retaken,
                                                 response: IdempotentResponse(status: 200, body: "{}")))
        // A claim within its timeout is not taken over.
        guard case .claimed = try claim(store, key: "k2", at: now - Self.timeout + 5_000) else { Issue.record("not claimed"); return }
        #expect(try claim(store, key: "k2", at: now) == .inProgress)
    }

    @Test("keys are forgotten after 24 hours: the key works for a new request, and old rows are deleted", arguments: kinds)
    func expiry(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.open()
        let now = WallClock.nowMilliseconds()
        let dayAgo = now - IdempotencyRetention.milliseconds - 1_000
        for key in ["old", "other-old"] {
            guard case .claimed(let at) = try claim(store, key: key, at: dayAgo) else { Issue.record("not claimed"); return }
            try store.completeIdempotencyKey(userId: "u1", key: key, claimedAt: at, response: IdempotentResponse(status: 200, body: "{}"))
        }
        if case .claimed = try claim(store, key: "old", hash: "new body", at: now) {} else { Issue.record("an expired key was not reusable") }
        let database = store.database
        let left = try database.rows("SELECT key FROM idempotency_keys ORDER BY key", []).compactMap { $0[0].text }
        #expect(left == ["old"], "the other expired key was deleted on the way")
    }

    @Test("of many requests racing with one key exactly one claims it", arguments: kinds)
    func race(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let stores = Stores(try (0..<8).map { _ in
            let store = try fixture.open()
            try store.migrate()
            return store
        })
        let now = WallClock.nowMilliseconds()
        let claims = try concurrently(8) { index in
            try stores.items[index].claimIdempotencyKey(userId: "racer", key: "same", requestHash: "h", now: now,
                                                        runningTimeoutMilliseconds: Self.timeout)
        }
        let winners = claims.filter { if case .claimed = $0 { true } else { false } }
        #expect(winners.count == 1, "\(claims)")
        #expect(claims.filter { $0 == .inProgress }.count == 7)
    }

    @Test("SHA-256 matches the standard's test vectors")
    func sha256() {
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "two blocks")
        #expect(SHA256.hex(Array(repeating: UInt8(ascii: "a"), count: 1_000)).count == 64)
    }

    @Test("the fingerprint ignores field order, the user, the connection string and streaming, and nothing else")
    func fingerprint() throws {
        func body(_ text: String) throws -> JSONBody {
            try JSONBody(request: HTTPRequest(method: "POST", path: "/", headers: ["Content-Type": "application/json"],
                                              body: Array(text.utf8)))
        }
        let base = IdempotencyKey.fingerprint(of: try body(#"{"message": "hi", "projectRef": "p", "userId": "a"}"#))
        #expect(IdempotencyKey.fingerprint(of: try body(
            #"{"projectRef": "p", "message": "hi", "connectionString": "postgresql://x", "stream": true}"#)) == base)
        #expect(IdempotencyKey.fingerprint(of: try body(#"{"message": "hi!", "projectRef": "p"}"#)) != base)
        #expect(IdempotencyKey.fingerprint(of: try body(#"{"message": "hi", "projectRef": "q"}"#)) != base)
    }

    @Test("a malformed Idempotency-Key is a 400; a request refused before it ran gives its key back")
    func endpoint() throws {
        let fixture = try StoreFixture(.sqlite)
        let api = AssistantAPI(tools: .standard, store: try fixture.open(), configuration: AssistantConfiguration(), logger: Logger(label: "test"))
        func post(key: String) -> HTTPResponse {
            api.respond(to: HTTPRequest(method: "POST", path: "/api/ai/assistant/chat",
                                        headers: ["Content-Type": "application/json", "Idempotency-Key": key],
                                        body: Array(#"{"userId": "u", "projectRef": "p", "message": "hi"}"#.utf8)))
        }
        for bad in ["", String(repeating: "k", count: 256), "caf\u{e9}", "tab\there"] {
            let response = post(key: bad)
            #expect(response.status == 400, "\(bad)")
            #expect(String(decoding: response.body, as: UTF8.self).contains("invalid_field"))
        }
        // No model provider is configured: 503 before anything is stored, and the key is free again.
        #expect(post(key: "k-1").status == 503)
        #expect(post(key: "k-1").status == 503, "not 409: the refused request released its key")
        #expect(try fixture.open().database.rows("SELECT COUNT(*) FROM idempotency_keys", []).first?.first?.integer == 0)
    }

    @Test("a request that fails after its message was stored keeps that answer for its key: a retry does not store the message again")
    func failureAfterCommit() throws {
        let fixture = try StoreFixture(.sqlite)
        let store = try fixture.open()
        var configuration = AssistantConfiguration()
        configuration.model = ModelConfiguration(apiKey: "sk-test", model: "gpt-test")
        let api = AssistantAPI(tools: .standard, store: store, configuration: configuration, logger: Logger(label: "test"))

        // A thread whose last run died with a call unanswered: the next message first closes that call, and the
        // store refuses tool results, so the request fails after it stored its message and run.
        let thread = try store.currentOrNewThread(userId: "u", projectRef: "p")
        let first = try #require(try store.startRun(NewRun(threadId: thread.id, userId: "u", projectRef: "p", worker: "gone",
                                                           assistantVersion: nil, model: "m",
                                                           deadlineAt: WallClock.nowMilliseconds() + 60_000),
                                                    userMessage: "first")).run
        _ = try store.appendRunMessage(threadId: thread.id, NewMessage(
            role: "assistant", toolCalls: StoredToolCall.encode([StoredToolCall(id: "call_1", name: "list_tables", arguments: "{}")]),
            runId: first.id))
        _ = try store.finishRun(id: first.id, status: .expired, response: nil, errorCode: "worker_lost", errorMessage: nil)
        try store.database.script("""
            CREATE TRIGGER refuse_tool_results BEFORE INSERT ON messages WHEN NEW.role = 'tool'
            BEGIN SELECT RAISE(ABORT, 'tool results refused for this test'); END
            """)

        func post() -> HTTPResponse {
            api.respond(to: HTTPRequest(method: "POST", path: "/api/ai/assistant/chat",
                                        headers: ["Content-Type": "application/json", "Idempotency-Key": "k-after-commit"],
                                        body: Array(#"{"userId": "u", "projectRef": "p", "threadId": "\#(thread.id)", "message": "second"}"#.utf8)))
        }
        let failed = post()
        #expect(failed.status == 503, "\(String(decoding: failed.body, as: UTF8.self))")
        let retried = post()
        #expect(retried.status == failed.status)
        #expect(retried.header("Idempotent-Replayed") == "true", "the retry gets the first answer")
        #expect(retried.body == failed.body)
        let stored = try store.database.rows("SELECT COUNT(*) FROM messages WHERE role = 'user' AND content = 'second'", [])
        #expect(stored.first?.first?.integer == 1, "the message is stored once")
        let runs = try store.database.rows("SELECT status FROM runs WHERE id <> $1", [.text(first.id)])
        #expect(runs.map { $0.first?.text } == ["failed"], "the request's own run ended failed")
    }
}

/// Store connections handed to racing threads, each used by one thread only.
private final class Stores: @unchecked Sendable {
    let items: [SQLThreadStore]
    init(_ items: [SQLThreadStore]) { self.items = items }
}
