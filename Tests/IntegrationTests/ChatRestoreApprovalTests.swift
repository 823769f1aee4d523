import Foundation
import HTTPClient
import JSON
import TestSupport
import Testing

/// restore_table between users of one project, through the chat endpoint: a table another user dropped
/// comes back only after the asking user approves, shown who dropped it.
@Suite("Chat: restoring another user's table", .serialized)
struct ChatRestoreApprovalTests {
    /// Ada drops `invoice` through the chat and approves it.
    private func adaDropsInvoice(_ harness: ChatHarness) throws {
        try harness.provider.script([toolStep([("drop_table", #"{"table":"invoice"}"#)])])
        let paused = try harness.say("drop the invoice table")
        let actionId = try #require((paused.json["pendingAction"] as? [String: Any])?["id"] as? String, "\(paused.text)")
        try harness.provider.script([textStep("Dropped.")])
        let approved = try harness.chat(["approve": .string(actionId), "threadId": .string(paused.json["threadId"] as? String ?? "")])
        try #require(approved.json["status"] as? String == "completed", "\(approved.text)\n\(harness.logs)")
        try #require(try !harness.relationExists("public.invoice"))
    }

    /// Grace's restore pauses for an approval naming Ada; returns the pending action.
    private func expectApprovalNamingAda(_ response: HTTPClientResponse) throws -> (id: String, threadId: String) {
        try #require(response.status == 200, "\(response.text)")
        #expect(response.json["status"] as? String == "requires_action", "\(response.text)")
        let action = try #require(response.json["pendingAction"] as? [String: Any], "\(response.text)")
        #expect(action["tool"] as? String == "restore_table")
        #expect((action["impact"] as? [String: Any])?["trashedBy"] as? String == "ada", "\(response.text)")
        return (try #require(action["id"] as? String), try #require(response.json["threadId"] as? String))
    }

    @Test("grace's restore of ada's table pauses for grace's approval naming ada; approving restores it")
    func approveOtherUsersCopy() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        try adaDropsInvoice(harness)

        try harness.provider.script([toolStep([("restore_table", #"{"table":"invoice"}"#)])])
        let action = try expectApprovalNamingAda(try harness.say("bring invoice back", userId: "grace"))
        #expect(try !harness.relationExists("public.invoice"), "nothing is restored before grace approves")

        let byAda = try harness.chat(["approve": .string(action.id), "threadId": .string(action.threadId)])
        #expect(byAda.status == 404, "only the thread's owner answers: \(byAda.text)")
        try harness.provider.script([textStep("It is back.")])
        let approved = try harness.chat(["approve": .string(action.id), "threadId": .string(action.threadId)], userId: "grace")
        try #require(approved.status == 200, "\(approved.text)\n\(harness.logs)")
        #expect(approved.json["status"] as? String == "completed")
        #expect(approved.toolCalls.first?["success"] as? Bool == true, "\(approved.text)")
        #expect(try harness.relationExists("public.invoice"))
    }

    @Test("with restore_table in APPROVAL_TOOLS, another user's copy asks twice (the tool, then whose copy) and then restores")
    func twoApprovals() throws {
        let harness = try ChatHarness(environment: ["APPROVAL_TOOLS": "restore_table"])
        defer { harness.stop() }
        try adaDropsInvoice(harness)

        try harness.provider.script([toolStep([("restore_table", #"{"table":"invoice"}"#)])])
        let first = try harness.say("bring invoice back", userId: "grace")
        let firstAction = try #require(first.json["pendingAction"] as? [String: Any], "\(first.text)")
        let threadId = try #require(first.json["threadId"] as? String)
        let second = try harness.chat(["approve": .string(firstAction["id"] as? String ?? ""), "threadId": .string(threadId)],
                                      userId: "grace")
        let action = try expectApprovalNamingAda(second)
        #expect(try !harness.relationExists("public.invoice"))
        try harness.provider.script([textStep("It is back.")])
        let approved = try harness.chat(["approve": .string(action.id), "threadId": .string(threadId)], userId: "grace")
        try #require(approved.status == 200, "\(approved.text)\n\(harness.logs)")
        #expect(approved.json["status"] as? String == "completed", "\(approved.text)")
        #expect(try harness.relationExists("public.invoice"), "\(approved.text)")
    }
}
