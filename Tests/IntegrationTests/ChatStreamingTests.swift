import Foundation
import JSON
import TestSupport
import Testing

/// `POST /chat` as server-sent events through nginx: the events, their order, and that each arrives when
/// it happens rather than when the run ends.
@Suite("Chat streaming", .serialized)
struct ChatStreamingTests {
    @Test("\"stream\": true answers events whose run.completed carries the JSON answer's body")
    func streamFlag() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        try harness.provider.script([toolStep([("list_tables", #"{"schema":"public"}"#)]),
                                     textStep("You have customer and orders.")])
        let stream = try harness.streamChat(["message": .string("what tables are there?"), "stream": .bool(true)])
        try expectCompletedStream(stream, text: "You have customer and orders.", tool: "list_tables", harness: harness)
        let requests = try harness.provider.requests()
        #expect(requests.allSatisfy { $0["body"]?["stream"]?.boolValue == true }, "the model is streamed too")
    }

    @Test("Accept: text/event-stream streams without the stream field, in the chat-completions style too")
    func acceptHeader() throws {
        let harness = try ChatHarness(style: "chat-completions")
        defer { harness.stop() }
        try harness.provider.script([toolStep([("get_schema", #"{"table":"orders","schema":"public"}"#)]),
                                     textStep("Orders has a total column.")])
        let stream = try harness.streamChat(["message": .string("describe orders")],
                                            headers: [("Accept", "text/event-stream")])
        try expectCompletedStream(stream, text: "Orders has a total column.", tool: "get_schema", harness: harness)
    }

    @Test("events pass through nginx as they happen: tool.completed arrives well before a slow answer")
    func notBuffered() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        try harness.provider.script([toolStep([("list_tables", "{}")]),
                                     delayed(textStep("Done after a pause."), milliseconds: 1_500)])
        let stream = try harness.streamChat(["message": .string("list them slowly"), "stream": .bool(true)])
        #expect(stream.status == 200, "\(stream.text)\n\(harness.logs)")
        let created = try #require(stream.first("run.created"), "\(stream.text)")
        let tool = try #require(stream.first("tool.completed"), "\(stream.text)")
        let completed = try #require(stream.first("run.completed"), "\(stream.text)")
        #expect(completed.arrivedAfter - tool.arrivedAfter >= 1.0,
                "tool.completed at \(tool.arrivedAfter) s, run.completed at \(completed.arrivedAfter) s")
        #expect(completed.arrivedAfter - created.arrivedAfter >= 1.0, "run.created is sent before the model answers")
        #expect(completed.json["status"] as? String == "completed")
    }

    @Test("a comment ping keeps the stream alive while the model is silent (SSE_PING_MS)")
    func pings() throws {
        let harness = try ChatHarness(environment: ["SSE_PING_MS": "200"])
        defer { harness.stop() }
        try harness.provider.script([delayed(textStep("Finally."), milliseconds: 1_200)])
        let stream = try harness.streamChat(["message": .string("take your time"), "stream": .bool(true)])
        #expect(stream.status == 200, "\(stream.text)\n\(harness.logs)")
        let created = try #require(stream.first("run.created"), "\(stream.text)")
        let firstDelta = try #require(stream.first("message.delta"), "\(stream.text)")
        let pings = stream.received.filter { $0.isComment && $0.data == "ping" }
        let during = pings.filter { $0.arrivedAfter > created.arrivedAfter && $0.arrivedAfter < firstDelta.arrivedAfter }
        #expect(during.count >= 3, "pings during the 1.2 s wait: \(pings.map(\.arrivedAfter))\n\(stream.text)")
        #expect(stream.text.contains("\n: ping\n\n") || stream.text.hasPrefix(": ping\n\n"))
        #expect(stream.first("run.completed")?.json["response"] as? String == "Finally.")
    }

    @Test("a streamed run that needs approval sends action.required; the streamed approval finishes it")
    func approvalStream() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        try harness.provider.script([toolStep([("drop_table", #"{"table":"invoice"}"#)])])
        let paused = try harness.streamChat(["message": .string("drop invoice"), "stream": .bool(true)])
        #expect(paused.status == 200, "\(paused.text)\n\(harness.logs)")
        #expect(paused.names.first == "run.created")
        #expect(paused.names.contains("tool.started"))
        #expect(!paused.names.contains("tool.completed"), "the call has no result until the user decides")
        let required = try #require(paused.first("action.required"), "\(paused.text)")
        let action = try #require(required.json["pendingAction"] as? [String: Any], "\(required.data)")
        let actionId = try #require(action["id"] as? String)
        #expect(action["tool"] as? String == "drop_table")
        #expect(action["impact"] is [String: Any])
        // After action.required only the final body follows, reporting the wait.
        let after = paused.names.drop { $0 != "action.required" }.dropFirst()
        #expect(Array(after) == ["run.completed"], "\(paused.names)")
        let final = paused.first("run.completed")?.json ?? [:]
        #expect(final["status"] as? String == "requires_action")
        #expect((final["pendingAction"] as? [String: Any])?["id"] as? String == actionId)
        #expect(try harness.relationExists("public.invoice"))

        try harness.provider.script([textStep("Moved to the trash.")])
        let threadId = final["threadId"] as? String ?? ""
        let approved = try harness.streamChat(["approve": .string(actionId), "threadId": .string(threadId), "stream": .bool(true)])
        try #require(approved.status == 200, "\(approved.text)\n\(harness.logs)")
        #expect(approved.names.first == "run.created")
        #expect(approved.names.contains("tool.started") && approved.names.contains("tool.completed"), "\(approved.names)")
        #expect(approved.names.last == "run.completed", "\(approved.names)")
        #expect(approved.first("run.completed")?.json["status"] as? String == "completed", "\(approved.text)")
        #expect(try !harness.relationExists("public.invoice"))
    }

    @Test("a streamed run whose model call fails ends with an error event carrying the code and status")
    func streamedFailure() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        try harness.provider.script([.object(["error": .object(["status": .number(400)])])])
        let stream = try harness.streamChat(["message": .string("this will fail"), "stream": .bool(true)])
        #expect(stream.status == 200, "the stream had started before the model was called")
        #expect(stream.names == ["run.created", "error"], "\(stream.text)")
        let error = stream.first("error")?.json ?? [:]
        #expect(error["code"] as? String == "provider_rejected", "\(stream.text)")
        #expect(error["status"] as? Int == 502)
        #expect((error["error"] as? String)?.isEmpty == false)
        #expect(try harness.messages().map { $0["role"] as? String } == ["user"])
    }

    /// The events of a run that called `tool` once and answered `text`, and a `run.completed` shaped like the JSON answer.
    private func expectCompletedStream(_ stream: ChatEventStream, text: String, tool: String,
                                       harness: ChatHarness) throws {
        try #require(stream.status == 200, "\(stream.text)\n\(harness.logs)")
        #expect(stream.header("content-type")?.hasPrefix("text/event-stream") == true)
        let names = stream.names
        #expect(names.first == "run.created", "\(names)")
        #expect(names.last == "run.completed", "\(names)")
        for name in ["message.delta", "tool.started", "tool.completed"] {
            #expect(names.contains(name), "\(name) is missing from \(names)")
        }
        let started = try #require(names.firstIndex(of: "tool.started"))
        let finished = try #require(names.firstIndex(of: "tool.completed"))
        let firstDelta = try #require(names.firstIndex(of: "message.delta"))
        #expect(started < finished && finished < firstDelta, "\(names)")

        let created = stream.first("run.created")?.json ?? [:]
        let startedData = stream.first("tool.started")?.json ?? [:]
        #expect(startedData["name"] as? String == tool)
        #expect(startedData["arguments"] is [String: Any], "arguments are sent as JSON")
        let completedTool = stream.first("tool.completed")?.json ?? [:]
        #expect(completedTool["name"] as? String == tool)
        #expect(completedTool["success"] as? Bool == true, "\(stream.text)")
        #expect(completedTool["id"] as? String == startedData["id"] as? String)
        let deltas = stream.events.filter { $0.name == "message.delta" }.map { $0.json["delta"] as? String ?? "" }
        #expect(deltas.joined() == text)

        let final = try #require(stream.first("run.completed")?.json)
        #expect(Set(final.keys) == ["response", "threadId", "runId", "status", "toolCalls", "usage"], "\(final.keys)")
        #expect(final["status"] as? String == "completed")
        #expect(final["response"] as? String == text)
        #expect(final["runId"] as? String == created["runId"] as? String)
        #expect(final["threadId"] as? String == created["threadId"] as? String)
        let calls = final["toolCalls"] as? [[String: Any]] ?? []
        #expect(calls.count == 1)
        #expect(calls.first?["name"] as? String == tool)
        #expect(calls.first?["success"] as? Bool == true)
        #expect(calls.first?["durationMs"] is NSNumber)
        let usage = final["usage"] as? [String: Any] ?? [:]
        #expect((usage["inputTokens"] as? Int ?? 0) > 0 && (usage["outputTokens"] as? Int ?? 0) > 0, "\(usage)")
        let roles = try harness.messages().map { $0["role"] as? String ?? "" }
        #expect(roles == ["user", "assistant", "tool", "assistant"], "a streamed run stores the same steps")
    }
}
