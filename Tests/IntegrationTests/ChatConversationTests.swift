import Foundation
import JSON
import TestSupport
import Testing

/// Chat turns end to end: nginx → workers → fake model provider and the user's PostgreSQL.
@Suite("Chat conversation", .serialized)
struct ChatConversationTests {
    @Test("a turn with a list_tables call answers, stores every step, and the model saw the tool result")
    func listTablesTurn() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        try harness.provider.script([toolStep([("list_tables", #"{"schema":"public"}"#)]),
                                     textStep("You have customer and orders.")])
        let response = try harness.say("what tables are there?")
        #expect(response.status == 200, "\(response.text)\n\(harness.logs)")
        #expect(response.json["response"] as? String == "You have customer and orders.")
        #expect(response.json["status"] as? String == "completed")
        let calls = response.json["toolCalls"] as? [[String: Any]] ?? []
        #expect(calls.count == 1)
        #expect(calls.first?["name"] as? String == "list_tables")
        #expect(calls.first?["success"] as? Bool == true)
        let requests = try harness.provider.requests()
        #expect(requests.count == 2)
        let second = requests.last?["body"]?.serialized() ?? ""
        #expect(second.contains("customer"), "the model got the tool's output")
        #expect(second.contains("Untrusted data"))
        let roles = try harness.messages().map { $0["role"] as? String ?? "" }
        #expect(roles == ["user", "assistant", "tool", "assistant"])
    }

    @Test("a model call slower than PGASSIST_SLOW_REQUEST_MS logs a slow-step line with the run")
    func slowStepLog() throws {
        let harness = try ChatHarness(environment: ["PGASSIST_SLOW_REQUEST_MS": "300"])
        defer { harness.stop() }
        try harness.provider.script([.object(["text": .string("late"), "delayMs": .number(600)])])
        let response = try harness.say("take your time")
        #expect(response.status == 200, "\(response.text)")
        let runId = try #require(response.json["runId"] as? String)
        let line = harness.service.workers.logLines.first { $0.event == "slow step" }
        #expect(line?.string("phase") == "model", "\(harness.service.workers.log)")
        #expect(line?.string("run_id") == runId)
        #expect((line?["duration_ms"]?.intValue ?? 0) >= 300, "\(String(describing: line))")
    }
}
