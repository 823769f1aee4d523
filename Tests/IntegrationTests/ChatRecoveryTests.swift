import Foundation
import JSON
import TestSupport
import Testing

/// One run per thread, cancelling, and crash recovery: a worker SIGKILLed mid-run leaves a thread the
/// next message continues at once, with the dead run `expired` and every tool call answered.
@Suite("Chat recovery", .serialized)
struct ChatRecoveryTests {
    @Test("a second message during a run is 409 run_in_progress; cancel ends the run and the thread continues")
    func cancelRunInProgress() throws {
        let (harness, runs) = try inspectableHarness()
        defer { harness.stop() }
        try harness.provider.script([delayed(textStep("A slow answer."), milliseconds: 3_000)])
        let first = harness.sayInBackground("think hard")
        try harness.waitForModelRequests(1)
        let threadId = try harness.threadId()

        let second = try harness.say("are you done?", threadId: threadId)
        #expect(second.status == 409, "\(second.text)\n\(harness.logs)")
        #expect(second.errorCode == "run_in_progress", "\(second.text)")
        #expect(second.isJSONError)

        let runId = try #require(try harness.messages().first { $0["role"] as? String == "user" }?["runId"] as? String)
        let cancel = try harness.chat(["cancel": .string(runId), "threadId": .string(threadId)])
        #expect(cancel.status == 200, "\(cancel.text)\n\(harness.logs)")
        #expect(cancel.json["status"] as? String == "cancelled", "\(cancel.text)")
        #expect(cancel.json["runId"] as? String == runId)
        #expect(try runs.run(runId) == StoredRun(id: runId, status: "cancelled", errorCode: "cancelled_by_user"))

        // The first request learns of the cancel when the model answers, and reports it.
        let ended = try first.response(within: 15)
        #expect(ended.status == 200, "\(ended.text)\n\(harness.logs)")
        #expect(ended.json["status"] as? String == "cancelled", "\(ended.text)")
        #expect(ended.json["runId"] as? String == runId)
        #expect(try runs.run(runId)?.status == "cancelled", "the late answer does not revive the run")
        let again = try harness.chat(["cancel": .string(runId), "threadId": .string(threadId)])
        #expect(again.json["status"] as? String == "cancelled", "cancelling twice answers the final status: \(again.text)")

        try harness.expectThreadContinues(threadId, after: "think hard")
        #expect(try harness.provider.requests().count == 2, "the refused message never reached the model")
    }

    @Test("tool calls the model asks for after the run was cancelled are not carried out")
    func cancelledRunRunsNoTools() throws {
        let (harness, runs) = try inspectableHarness()
        defer { harness.stop() }
        let create = #"{"table":"after_cancel","columns":[{"name":"id","type":"bigint","primaryKey":true}]}"#
        try harness.provider.script([delayed(toolStep([("create_table", create)]), milliseconds: 3_000),
                                     textStep("Created it.")])
        let first = harness.sayInBackground("make a table, slowly")
        try harness.waitForModelRequests(1)
        let threadId = try harness.threadId()
        let runId = try #require(try harness.messages().first?["runId"] as? String)
        let cancel = try harness.chat(["cancel": .string(runId), "threadId": .string(threadId)])
        #expect(cancel.json["status"] as? String == "cancelled", "\(cancel.text)")

        let ended = try first.response(within: 15)
        #expect(ended.json["status"] as? String == "cancelled", "\(ended.text)\n\(harness.logs)")
        #expect(try runs.run(runId)?.status == "cancelled")
        #expect(try harness.provider.requests().count == 1, "a cancelled run calls the model no more")
        let created = try harness.relationExists("public.after_cancel")
        #expect(!created, "the user cancelled before the model asked for it")
        #expect(ended.toolCalls.isEmpty, "\(ended.text)")
        try harness.expectThreadContinues(threadId, after: "make a table, slowly")
    }

    @Test("a run waiting for approval makes a new message 409 action_pending; cancelling it answers the call and the thread continues")
    func cancelPendingApproval() throws {
        let (harness, runs) = try inspectableHarness()
        defer { harness.stop() }
        try harness.provider.script([toolStep([("drop_table", #"{"table":"invoice"}"#)])])
        let paused = try harness.say("drop the invoice table")
        try #require(paused.status == 200, "\(paused.text)\n\(harness.logs)")
        #expect(paused.json["status"] as? String == "requires_action")
        let threadId = try #require(paused.json["threadId"] as? String)
        let runId = try #require(paused.json["runId"] as? String)
        let actionId = try #require((paused.json["pendingAction"] as? [String: Any])?["id"] as? String)

        let blocked = try harness.say("never mind, something else", threadId: threadId)
        #expect(blocked.status == 409, "\(blocked.text)")
        #expect(blocked.errorCode == "action_pending", "\(blocked.text)")

        let cancel = try harness.chat(["cancel": .string(runId), "threadId": .string(threadId)])
        #expect(cancel.status == 200, "\(cancel.text)\n\(harness.logs)")
        #expect(cancel.json["status"] as? String == "cancelled", "\(cancel.text)")
        #expect(try runs.run(runId) == StoredRun(id: runId, status: "cancelled", errorCode: "cancelled_by_user"))
        let approve = try harness.chat(["approve": .string(actionId), "threadId": .string(threadId)])
        #expect(approve.status == 404, "a cancelled run's action cannot be approved: \(approve.text)")
        #expect(try harness.relationExists("public.invoice"), "nothing was dropped")

        try harness.provider.script([textStep("Something else, then.")])
        let next = try harness.say("something else", threadId: threadId)
        #expect(next.status == 200, "the fake accepted the history (every call answered): \(next.text)\n\(harness.logs)")
        #expect(next.json["status"] as? String == "completed")
        let outputs = try harness.toolOutputs(inModelRequest: 1)
        #expect(outputs.count == 1, "the drop_table call got a result: \(outputs)")
        #expect(outputs.first?.contains("interrupted") == true, "\(outputs)")
        #expect(outputs.first?.contains("cancelled") == true, "\(outputs)")
    }

    @Test("a worker killed during a model call: nginx answers 502, the next message expires the dead run at once",
          arguments: ["sqlite", "postgres"])
    func workerKilledDuringModelCall(store: String) throws {
        let (harness, runs) = try inspectableHarness(store: store)
        defer { harness.stop() }
        try harness.provider.script([delayed(textStep("Never delivered."), milliseconds: 4_000)])
        let doomed = harness.sayInBackground("this worker will die")
        try harness.waitForModelRequests(1)
        let threadId = try harness.threadId()
        try harness.killAllWorkers()

        let lost = try doomed.response(within: 15)
        #expect(lost.status == 502, "\(lost.text)\n\(harness.logs)")
        #expect(lost.errorCode == "upstream_unavailable", "\(lost.text)")
        #expect(lost.isJSONError, "\(lost.text)")

        let dead = try #require(try harness.messages().first { $0["role"] as? String == "user" })
        #expect(dead["content"] as? String == "this worker will die", "the message was stored before the model call")
        let deadRun = try #require(dead["runId"] as? String)
        #expect(try runs.run(deadRun)?.status == "in_progress", "nobody has noticed yet")

        try harness.provider.script([textStep("I am back.")])
        let next = try harness.say("hello again", threadId: threadId)
        #expect(next.status == 200, "not 409: the dead worker's run is expired at once\n\(next.text)\n\(harness.logs)")
        #expect(next.json["status"] as? String == "completed", "\(next.text)")
        #expect(next.json["response"] as? String == "I am back.")
        #expect(try runs.run(deadRun) == StoredRun(id: deadRun, status: "expired", errorCode: "worker_lost"))
        let nextRun = try #require(next.json["runId"] as? String)
        #expect(try runs.run(nextRun)?.status == "completed")
        let roles = try harness.messages().map { $0["role"] as? String ?? "" }
        #expect(roles == ["user", "user", "assistant"], "\(roles)")
    }

    @Test("a worker killed after a tool call finished: its stored result reaches the model, nothing is answered twice",
          arguments: ["sqlite", "postgres"])
    func workerKilledAfterToolCall(store: String) throws {
        let (harness, runs) = try inspectableHarness(store: store)
        defer { harness.stop() }
        try harness.provider.script([toolStep([("list_tables", #"{"schema":"public"}"#)]),
                                     delayed(textStep("Never delivered."), milliseconds: 4_000)])
        let doomed = harness.sayInBackground("which tables? then die")
        try harness.waitForModelRequests(2)
        let threadId = try harness.threadId()
        try harness.killAllWorkers()
        let lost = try doomed.response(within: 15)
        #expect(lost.status == 502, "\(lost.text)\n\(harness.logs)")
        #expect(lost.isJSONError, "\(lost.text)")
        let deadRun = try #require(try harness.messages().first?["runId"] as? String)

        try harness.provider.script([textStep("You have customer and orders.")])
        let next = try harness.say("so?", threadId: threadId)
        #expect(next.status == 200, "the fake accepted the history\n\(next.text)\n\(harness.logs)")
        #expect(next.json["status"] as? String == "completed", "\(next.text)")
        #expect(try runs.run(deadRun) == StoredRun(id: deadRun, status: "expired", errorCode: "worker_lost"))

        let outputs = try harness.toolOutputs(inModelRequest: 2)
        #expect(outputs.count == 1, "exactly one answer for the one call: \(outputs)")
        #expect(outputs.first?.contains("customer") == true, "the real list_tables result, stored before the crash: \(outputs)")
        #expect(outputs.first?.contains("interrupted") == false, "\(outputs)")
        let roles = try harness.messages().map { $0["role"] as? String ?? "" }
        #expect(roles == ["user", "assistant", "tool", "user", "assistant"], "\(roles)")
    }
}
