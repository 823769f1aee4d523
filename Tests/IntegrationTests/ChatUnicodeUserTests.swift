import Foundation
import JSON
import TestSupport
import Testing

/// A user id spelled in NFD and in NFC ("Amélie" with a combining accent, or with the precomposed "é") is one user
/// everywhere, through nginx and the workers: one thread, one set of approvals, one rate limit, one name in the trash.
@Suite("Chat with Unicode-equal user ids", .serialized)
struct ChatUnicodeUserTests {
    private static let nfc = "Am\u{E9}lie"
    private static let nfd = "Ame\u{301}lie"

    @Test("both spellings share the thread, answer each other's approval, and the trash names the user in NFC")
    func oneUserForBothSpellings() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        try harness.provider.script([toolStep([("drop_table", #"{"table":"invoice"}"#)])])
        let paused = try harness.say("drop the invoice table", userId: Self.nfd)
        try #require(paused.status == 200, "\(paused.text)\n\(harness.logs)")
        let actionId = try #require((paused.json["pendingAction"] as? [String: Any])?["id"] as? String, "\(paused.text)")
        let threadId = try #require(paused.json["threadId"] as? String)

        let query = try #require(Self.nfc.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
        let thread = try harness.service.request("GET", "/api/ai/assistant/thread?userId=\(query)")
        #expect(thread.json["threadId"] as? String == threadId, "\(thread.text)")
        #expect((thread.json["userId"] as? String)?.utf8.elementsEqual(Self.nfc.utf8) == true, "stored in NFC: \(thread.text)")

        try harness.provider.script([textStep("It is in the trash.")])
        let approved = try harness.chat(["approve": .string(actionId), "threadId": .string(threadId)], userId: Self.nfc)
        try #require(approved.status == 200, "\(approved.text)\n\(harness.logs)")
        #expect(approved.json["status"] as? String == "completed", "\(approved.text)")
        #expect(try harness.trashedCopies(of: "invoice").count == 1)

        // Restoring as the other spelling is restoring one's own copy: no approval, and the copy names the NFC form.
        try harness.provider.script([toolStep([("restore_table", #"{"table":"invoice"}"#)]), textStep("It is back.")])
        let restored = try harness.say("bring it back", userId: Self.nfd, threadId: threadId)
        try #require(restored.status == 200, "\(restored.text)\n\(harness.logs)")
        #expect(restored.json["status"] as? String == "completed", "\(restored.text)")
        #expect(restored.toolCalls.first?["success"] as? Bool == true, "\(restored.text)")
        #expect(try harness.relationExists("public.invoice"))
        let output = try harness.toolOutputs(inModelRequest: harness.provider.requests().count - 1).last ?? ""
        let trashedBy = try JSONValue.parse(output)["result"]?["trashedBy"]?.stringValue
        #expect(trashedBy?.utf8.elementsEqual(Self.nfc.utf8) == true, "the tools see the user in NFC: \(output)")
    }

    @Test("both spellings count against one rate limit")
    func oneRateLimit() throws {
        let harness = try ChatHarness(environment: ["RATE_LIMIT_RUNS": "1"])
        defer { harness.stop() }
        try harness.provider.script([textStep("Hello."), textStep("Not for you.")])
        let first = try harness.say("hello", userId: Self.nfd)
        #expect(first.status == 200, "\(first.text)\n\(harness.logs)")
        let second = try harness.say("hello again", userId: Self.nfc)
        #expect(second.status == 429, "\(second.text)")
        #expect(second.errorCode == "rate_limited", "\(second.text)")
        #expect(try harness.provider.requests().count == 1)
    }
}
