import Foundation
import JSON
import TestSupport
import Testing

/// A streamed chat whose client goes away (a closed tab, a dropped connection): the run ends `cancelled`
/// with `client_disconnected`, what the model had said is kept, and the thread takes the next message.
/// The client is a raw socket through nginx that hangs up mid-stream.
@Suite("Chat client disconnects", .serialized)
struct ChatDisconnectTests {
    @Test("a client that hangs up mid-answer cancels the run; the text streamed so far is kept and the thread continues")
    func hangUpMidAnswer() throws {
        let (harness, runs) = try inspectableHarness()
        defer { harness.stop() }
        let answer = "Your largest table is orders, then customer, then invoice."
        // The model streams the first piece of its text, then goes quiet for 3 s before the rest.
        try harness.provider.script([paused(textStep(answer), afterEvents: 5, milliseconds: 3_000)])
        let message = "which tables are biggest?"
        let seen = try harness.streamThenHangUp(message) { $0.contains { $0.name == "message.delta" } }
        let runId = try #require(seen.first { $0.name == "run.created" }?.json["runId"] as? String, "\(seen)")
        let shown = seen.filter { $0.name == "message.delta" }.map { $0.json["delta"] as? String ?? "" }.joined()
        try #require(!shown.isEmpty && answer.hasPrefix(shown), "the client saw the start of the answer: \(shown)")

        let run = try harness.waitUntilEnded(runId, in: runs, within: 20)
        #expect(run.status == "cancelled", "\(run)\n\(harness.logs)")
        #expect(run.errorCode == "client_disconnected", "\(run)")

        let stored = try harness.messages()
        #expect(stored.map { $0["role"] as? String } == ["user", "assistant"], "\(stored)")
        let kept = stored.last?["content"] as? String ?? ""
        #expect(kept.hasPrefix(shown), "what the client saw is kept: \(kept)")
        #expect(answer.hasPrefix(kept), "only what the model said is kept: \(kept)")
        #expect(stored.last?["runId"] as? String == runId)
        try harness.expectThreadContinues(try harness.threadId(), after: message)
    }

    @Test("a hang-up while the model is silent is found by the heartbeat and cancels the model call long before it answers")
    func hangUpWhileModelSilent() throws {
        let (harness, runs) = try inspectableHarness(environment: ["SSE_PING_MS": "200"])
        defer { harness.stop() }
        // Without the heartbeat noticing, the run would wait the model's 60 s and only then find the client gone.
        try harness.provider.script([delayed(textStep("Far too late."), milliseconds: 60_000)])
        let message = "think about it for a long time"
        let seen = try harness.streamThenHangUp(message) { $0.contains { $0.name == "run.created" } }
        let runId = try #require(seen.first { $0.name == "run.created" }?.json["runId"] as? String, "\(seen)")
        try harness.waitForModelRequests(1)

        let run = try harness.waitUntilEnded(runId, in: runs, within: 15)
        #expect(run.status == "cancelled", "\(run)\n\(harness.logs)")
        #expect(run.errorCode == "client_disconnected", "\(run)")
        #expect(try harness.messages().map { $0["role"] as? String } == ["user"], "the model said nothing, so nothing more is stored")
        try harness.expectThreadContinues(try harness.threadId(), after: message)
    }
}

extension ChatHarness {
    /// Sends `message` as a streamed `POST /chat` through nginx on a raw socket, reads events until `enough`
    /// holds for them, then closes the socket; returns the events that had arrived.
    func streamThenHangUp(_ message: String, until enough: @escaping ([ReceivedEvent]) -> Bool) throws -> [ReceivedEvent] {
        let body = JSONValue.object(["userId": .string("ada"), "projectRef": .string("proj_1"), "stream": .bool(true),
                                     "connectionString": .string(databaseURL), "message": .string(message)]).serializedBytes()
        let head = "POST /api/ai/assistant/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let received = try RawHTTPClient(port: service.nginx.port)
            .readThenHangUp(Array(head.utf8) + body, timeoutMilliseconds: 30_000) { bytes in
                enough(Self.events(in: bytes))
            }
        return Self.events(in: received)
    }

    /// The events of a (possibly unfinished) chunked event-stream answer.
    private static func events(in bytes: [UInt8]) -> [ReceivedEvent] {
        guard let response = RawHTTPAnswer(bytes: bytes, seconds: 0, timedOut: false).response else { return [] }
        var parser = EventStreamParser()
        return response.body.withUnsafeBytes { parser.feed($0, at: 0) }
    }

    /// Waits (up to `seconds`) until run `runId` is no longer in progress, and returns it as stored.
    func waitUntilEnded(_ runId: String, in runs: RunTable, within seconds: Double) throws -> StoredRun {
        var last: StoredRun?
        let ended = try eventually(within: seconds) {
            last = try runs.run(runId)
            return last.map { $0.status != "in_progress" } ?? false
        }
        try #require(ended, "run \(runId) still \(last?.status ?? "missing") after \(seconds) s\n\(logs)")
        return try #require(last)
    }
}

/// A script step whose stream goes quiet for `milliseconds` after `events` server-sent events, then goes on.
func paused(_ step: JSONValue, afterEvents events: Int, milliseconds: Int) -> JSONValue {
    guard var object = step.objectValue else { return step }
    object["pauseAfterEvents"] = .number(Double(events))
    object["pauseMs"] = .number(Double(milliseconds))
    return .object(object)
}
