import Foundation
import JSON
import Postgres
import TestSupport
import Testing

/// drop_table's approval round trip through the chat endpoint: the run pauses, only the thread's owner
/// can answer, an answer works once, and the model hears what the user decided.
@Suite("Chat approvals", .serialized)
struct ChatApprovalTests {
    @Test("drop_table waits for approval; approving runs it once, the run completes, and restore_table brings the table back")
    func approveThenRestore() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        try harness.provider.script([toolStep([("drop_table", #"{"table":"invoice"}"#)])])
        let paused = try harness.say("drop the invoice table")
        try #require(paused.status == 200, "\(paused.text)\n\(harness.logs)")
        #expect(paused.json["status"] as? String == "requires_action")
        let action = try #require(paused.json["pendingAction"] as? [String: Any], "\(paused.text)")
        let actionId = try #require(action["id"] as? String)
        let threadId = try #require(paused.json["threadId"] as? String)
        #expect(action["tool"] as? String == "drop_table")
        #expect((action["impact"] as? [String: Any])?.isEmpty == false, "the impact is shown: \(paused.text)")
        #expect(action["expiresAt"] is String)
        #expect(action["callId"] is String)
        #expect(try harness.relationExists("public.invoice"), "nothing is dropped before the user approves")

        try harness.provider.script([textStep("Should not be called.")])
        let blocked = try harness.say("and now something else", threadId: threadId)
        #expect(blocked.status == 409)
        #expect(blocked.errorCode == "action_pending", "\(blocked.text)")
        #expect(blocked.isJSONError)
        #expect(try harness.provider.requests().count == 1, "a blocked message never reaches the model")

        try harness.provider.script([textStep("The invoice table is in the trash.")])
        let approved = try harness.chat(["approve": .string(actionId), "threadId": .string(threadId)])
        try #require(approved.status == 200, "\(approved.text)\n\(harness.logs)")
        #expect(approved.json["status"] as? String == "completed")
        #expect(approved.json["response"] as? String == "The invoice table is in the trash.")
        #expect(approved.json["runId"] as? String == paused.json["runId"] as? String, "the paused run continues")
        #expect(approved.json["pendingAction"] == nil)
        let call = try #require(approved.toolCalls.first, "\(approved.text)")
        #expect(call["name"] as? String == "drop_table")
        #expect(call["success"] as? Bool == true, "\(approved.text)")
        #expect(try !harness.relationExists("public.invoice"))
        #expect(try harness.trashedCopies(of: "invoice").count == 1, "the table is moved to pgassist_trash")
        let bodies = try harness.modelRequestBodies()
        #expect(bodies.count == 2, "the model is called again after the approval")
        #expect(bodies.last?.contains("trashedAs") == true, "the model sees the drop's result")

        let again = try harness.chat(["approve": .string(actionId), "threadId": .string(threadId)])
        #expect(again.status == 404)
        #expect(again.errorCode == "action_not_found", "\(again.text)")

        try harness.provider.script([toolStep([("restore_table", #"{"table":"invoice"}"#)]), textStep("It is back.")])
        let restored = try harness.say("bring it back", threadId: threadId)
        try #require(restored.status == 200, "\(restored.text)\n\(harness.logs)")
        #expect(restored.json["response"] as? String == "It is back.")
        #expect(restored.toolCalls.first?["success"] as? Bool == true, "\(restored.text)")
        #expect(try harness.relationExists("public.invoice"))
        #expect(try harness.trashedCopies(of: "invoice").isEmpty)
    }

    @Test("rejecting leaves the table alone and tells the model the user declined; another user cannot answer")
    func rejectAndStrangers() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        try harness.provider.script([toolStep([("drop_table", #"{"table":"invoice"}"#)])])
        let paused = try harness.say("drop the invoice table")
        try #require(paused.status == 200, "\(paused.text)\n\(harness.logs)")
        let actionId = try #require((paused.json["pendingAction"] as? [String: Any])?["id"] as? String, "\(paused.text)")
        let threadId = try #require(paused.json["threadId"] as? String)

        // Another user: naming the owner's thread, or answering on their own thread.
        let foreignThread = try harness.chat(["approve": .string(actionId), "threadId": .string(threadId)], userId: "mallory")
        #expect(foreignThread.status == 404)
        #expect(foreignThread.errorCode == "thread_not_found", "\(foreignThread.text)")
        let strangerThread = try harness.service.request("GET", "/api/ai/assistant/thread?userId=mallory").json["threadId"] as? String
        let ownThread = try harness.chat(["approve": .string(actionId), "threadId": .string(strangerThread ?? "")],
                                         userId: "mallory")
        #expect(ownThread.status == 404)
        #expect(ownThread.errorCode == "action_not_found", "\(ownThread.text)")
        #expect(try harness.relationExists("public.invoice"))
        #expect(try harness.provider.requests().count == 1)

        try harness.provider.script([textStep("Fine, I left it alone.")])
        let rejected = try harness.chat(["reject": .string(actionId), "threadId": .string(threadId)])
        try #require(rejected.status == 200, "\(rejected.text)\n\(harness.logs)")
        #expect(rejected.json["status"] as? String == "completed")
        #expect(rejected.json["response"] as? String == "Fine, I left it alone.")
        let call = try #require(rejected.toolCalls.first, "\(rejected.text)")
        #expect(call["success"] as? Bool == false)
        #expect((call["error"] as? [String: Any])?["code"] as? String == "user_declined", "\(rejected.text)")
        #expect(try harness.relationExists("public.invoice"), "a rejected drop changes nothing")
        #expect(try harness.trashedCopies(of: "invoice").isEmpty)

        let last = try #require(try harness.provider.requests().last)
        let input = last["body"]?["input"]?.arrayValue ?? []
        let output = input.first { $0["type"]?.stringValue == "function_call_output" }
        let text = output?["output"]?.stringValue ?? ""
        #expect(text.contains("user_declined") && text.contains("declined"), "the model hears the refusal: \(text)")
        let approvedLater = try harness.chat(["approve": .string(actionId), "threadId": .string(threadId)])
        #expect(approvedLater.status == 404, "a rejected action cannot be approved afterwards")
        #expect(approvedLater.errorCode == "action_not_found")
    }

    @Test("a drop whose dependents changed after the approval pauses again with the new impact; approving that one drops")
    func impactChangedPausesAgain() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        try harness.provider.script([toolStep([("drop_table", #"{"table":"invoice","cascade":true}"#)])])
        let paused = try harness.say("drop the invoice table and whatever uses it")
        let firstId = try #require((paused.json["pendingAction"] as? [String: Any])?["id"] as? String, "\(paused.text)")
        let threadId = try #require(paused.json["threadId"] as? String)
        try PostgresConnection(connectionString: harness.databaseURL)
            .execute("CREATE VIEW public.invoice_copy AS SELECT * FROM public.invoice")

        let again = try harness.chat(["approve": .string(firstId), "threadId": .string(threadId)])
        try #require(again.status == 200, "\(again.text)\n\(harness.logs)")
        #expect(again.json["status"] as? String == "requires_action", "\(again.text)")
        let action = try #require(again.json["pendingAction"] as? [String: Any], "\(again.text)")
        let secondId = try #require(action["id"] as? String)
        #expect(secondId != firstId)
        #expect("\(action["impact"] ?? "")".contains("invoice_copy"), "the user sees the new dependent: \(again.text)")
        #expect(try harness.relationExists("public.invoice"), "nothing was dropped on the stale approval")
        #expect(try harness.provider.requests().count == 1, "the user answers before the model hears anything")

        try harness.provider.script([textStep("Both are in the trash.")])
        let approved = try harness.chat(["approve": .string(secondId), "threadId": .string(threadId)])
        try #require(approved.status == 200, "\(approved.text)\n\(harness.logs)")
        #expect(approved.json["status"] as? String == "completed", "\(approved.text)")
        #expect(try !harness.relationExists("public.invoice"))
        #expect(try !harness.relationExists("public.invoice_copy"))
    }
}
