import Foundation
import HTTPClient
import JSON
import TestSupport
import Testing

/// `Idempotency-Key` on `POST /chat`, end to end: nginx → workers → fake model provider, on both stores.
@Suite("Idempotency through nginx", .serialized)
struct IdempotencyThroughNginxTests {
    @Test("a retry with the same key gets the first answer again and the message is stored once; another body is 422",
          arguments: ["sqlite", "postgres"])
    func retry(store: String) throws {
        let harness = try ChatHarness(store: store)
        defer { harness.stop() }
        try harness.provider.script([textStep("You have two tables.")])
        let key = [("Idempotency-Key", "retry-\(UUID().uuidString)")]
        let first = try harness.chat(["message": .string("which tables?")], headers: key)
        #expect(first.status == 200, "\(first.text)\n\(harness.logs)")
        let runId = try #require(first.json["runId"] as? String)
        #expect(first.header("idempotent-replayed") == nil)

        let again = try harness.chat(["message": .string("which tables?")], headers: key)
        #expect(again.status == 200, "\(again.text)")
        #expect(again.header("idempotent-replayed") == "true")
        #expect(again.json["runId"] as? String == runId)
        #expect(again.json["response"] as? String == "You have two tables.")
        #expect(again.body == first.body)
        #expect(try harness.provider.requests().count == 1, "the model was asked once")
        let stored = try harness.messages()
        #expect(stored.filter { $0["role"] as? String == "user" }.count == 1, "\(stored)")

        let other = try harness.chat(["message": .string("something else")], headers: key)
        #expect(other.status == 422)
        #expect(other.errorCode == "idempotency_key_reused")
        #expect(other.isJSONError)

        // A streaming retry of the same request gets the answer as a stream of one event.
        let streamed = try harness.streamChat(["message": .string("which tables?"), "stream": .bool(true)], headers: key)
        #expect(streamed.status == 200)
        #expect(streamed.header("idempotent-replayed") == "true")
        #expect(streamed.names == ["run.completed"], "\(streamed.text)")
        #expect(streamed.first("run.completed")?.json["runId"] as? String == runId)
        #expect(try harness.messages().count == stored.count, "nothing more was stored")

        let malformed = try harness.chat(["message": .string("x")], headers: [("Idempotency-Key", String(repeating: "k", count: 256))])
        #expect(malformed.status == 400)
        #expect(malformed.errorCode == "invalid_field")
    }

    @Test("a duplicate sent while the first still runs is 409 request_in_progress, and replays once the first is done")
    func duplicateWhileRunning() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        try harness.provider.script([delayed(textStep("A slow answer."), milliseconds: 2_000)])
        let key = "slow-\(UUID().uuidString)"
        let body = JSONValue.object(["userId": .string("ada"), "projectRef": .string("proj_1"),
                                     "connectionString": .string(harness.databaseURL),
                                     "message": .string("take your time")]).serialized()
        let service = harness.service
        let first = PendingRequest {
            try service.request("POST", "/api/ai/assistant/chat", body: body, headers: [("Idempotency-Key", key)])
        }
        try harness.waitForModelRequests(1)
        let duplicate = try harness.chat(["message": .string("take your time")], headers: [("Idempotency-Key", key)])
        #expect(duplicate.status == 409, "\(duplicate.text)")
        #expect(duplicate.errorCode == "request_in_progress")
        #expect(duplicate.header("retry-after") != nil)

        let answered = try first.response(within: 30)
        #expect(answered.status == 200, "\(answered.text)\n\(harness.logs)")
        let replay = try harness.chat(["message": .string("take your time")], headers: [("Idempotency-Key", key)])
        #expect(replay.status == 200)
        #expect(replay.json["runId"] as? String == answered.json["runId"] as? String)
        #expect(replay.header("idempotent-replayed") == "true")
        #expect(try harness.messages().filter { $0["role"] as? String == "user" }.count == 1)
    }

    @Test("a streamed first request is stored when its stream ends; a JSON retry gets the run.completed body")
    func streamedFirst() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        try harness.provider.script([textStep("Streamed answer.")])
        let key = [("Idempotency-Key", "stream-\(UUID().uuidString)")]
        let streamed = try harness.streamChat(["message": .string("stream it"), "stream": .bool(true)], headers: key)
        let completed = try #require(streamed.first("run.completed"), "\(streamed.text)\n\(harness.logs)")
        let retry = try harness.chat(["message": .string("stream it")], headers: key)
        #expect(retry.status == 200)
        #expect(retry.header("idempotent-replayed") == "true")
        #expect(retry.json["runId"] as? String == completed.json["runId"] as? String)
        #expect(retry.json["response"] as? String == "Streamed answer.")
    }

    @Test("a request refused before it ran (run in progress on the thread) gives its key back for the retry")
    func refusedRequestReleasesKey() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        try harness.provider.script([delayed(textStep("First."), milliseconds: 2_000), textStep("Second.")])
        let busy = harness.sayInBackground("occupy the thread")
        try harness.waitForModelRequests(1)
        let key = [("Idempotency-Key", "refused-\(UUID().uuidString)")]
        let refused = try harness.chat(["message": .string("next")], headers: key)
        #expect(refused.status == 409)
        #expect(refused.errorCode == "run_in_progress")
        #expect(try busy.response(within: 30).status == 200)
        let retried = try harness.chat(["message": .string("next")], headers: key)
        #expect(retried.status == 200, "\(retried.text)\n\(harness.logs)")
        #expect(retried.header("idempotent-replayed") == nil, "it ran this time")
        #expect(retried.json["response"] as? String == "Second.")
    }
}
