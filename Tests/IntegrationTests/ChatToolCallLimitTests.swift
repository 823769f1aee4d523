import Foundation
import JSON
import TestSupport
import Testing

/// Calls of a model answer that are not run, through nginx and the workers against the fake provider: calls past
/// CHAT_MAX_TOOL_CALLS (per answer) and CHAT_MAX_TOOL_CALLS_PER_RUN, and calls that repeat an id of their answer.
/// Each is answered to the model as a tool error, so the provider still gets a result for every call.
@Suite("Chat tool call limits", .serialized)
struct ChatToolCallLimitTests {
    @Test("calls past CHAT_MAX_TOOL_CALLS in one answer are not run; each is answered too_many_tool_calls",
          arguments: ["responses", "chat-completions"])
    func perAnswerCap(style: String) throws {
        let harness = try ChatHarness(style: style, environment: ["CHAT_MAX_TOOL_CALLS": "2"])
        defer { harness.stop() }
        try harness.provider.script([
            callsStep((1...4).map { ("call_\($0)", "create_table", createTable("cap_\($0)")) }),
            textStep("Made the first two."),
        ])
        let response = try harness.say("make four tables")
        try #require(response.status == 200, "\(response.text)\n\(harness.logs)")
        #expect(response.json["status"] as? String == "completed", "\(response.text)")
        #expect(response.toolCalls.map { $0["success"] as? Bool } == [true, true, false, false], "\(response.text)")
        #expect(response.toolCalls.dropFirst(2).allSatisfy { errorCode($0) == "too_many_tool_calls" }, "\(response.text)")
        #expect(try harness.relationExists("public.cap_1") && harness.relationExists("public.cap_2"))
        #expect(try !harness.relationExists("public.cap_3") && !harness.relationExists("public.cap_4"), "refused calls never ran")
        let outputs = try toolOutputs(harness, request: 1)
        #expect(outputs.map(\.id) == ["call_1", "call_2", "call_3", "call_4"], "every call has its result: \(outputs)")
        #expect(outputs.suffix(2).allSatisfy { $0.output.contains("too_many_tool_calls") }, "\(outputs)")
    }

    @Test("CHAT_MAX_TOOL_CALLS_PER_RUN holds across an approval: the resumed run counts the calls made before it paused",
          arguments: ["sqlite", "postgres"])
    func perRunCapAcrossApproval(store: String) throws {
        let harness = try ChatHarness(store: store, environment: ["CHAT_MAX_TOOL_CALLS_PER_RUN": "3"])
        defer { harness.stop() }
        try harness.provider.script([
            callsStep([("call_a", "create_table", createTable("run_1")), ("call_b", "create_table", createTable("run_2")),
                       ("call_c", "drop_table", #"{"table":"invoice"}"#)]),
        ])
        let paused = try harness.say("make two tables, then drop invoice")
        try #require(paused.status == 200, "\(paused.text)\n\(harness.logs)")
        #expect(paused.json["status"] as? String == "requires_action", "\(paused.text)")
        let actionId = try #require((paused.json["pendingAction"] as? [String: Any])?["id"] as? String, "\(paused.text)")
        let threadId = try #require(paused.json["threadId"] as? String)

        try harness.provider.script([callsStep([("call_d", "create_table", createTable("run_3"))]), textStep("That is all I may do.")])
        let approved = try harness.chat(["approve": .string(actionId), "threadId": .string(threadId)])
        try #require(approved.status == 200, "\(approved.text)\n\(harness.logs)")
        #expect(approved.json["status"] as? String == "completed", "\(approved.text)")
        #expect(approved.toolCalls.map { $0["name"] as? String } == ["drop_table", "create_table"], "\(approved.text)")
        #expect(approved.toolCalls.first?["success"] as? Bool == true, "\(approved.text)")
        #expect(errorCode(approved.toolCalls.last ?? [:]) == "too_many_tool_calls", "\(approved.text)")
        #expect(try harness.relationExists("public.run_1") && harness.relationExists("public.run_2"))
        #expect(try !harness.relationExists("public.invoice"), "the approved drop ran")
        #expect(try !harness.relationExists("public.run_3"), "the fourth call of the run was not run")
    }

    @Test("a call repeating an id of its answer is answered duplicate_call_id and never run, so it cannot wait for approval",
          arguments: ["responses", "chat-completions"])
    func duplicateIdNeverRuns(style: String) throws {
        let harness = try ChatHarness(style: style)
        defer { harness.stop() }
        try harness.provider.script([
            callsStep([("call_same", "run_sql", #"{"query":"select 41 + 1 as answer"}"#),
                       ("call_same", "drop_table", #"{"table":"invoice"}"#)]),
            textStep("I could not drop it."),
        ])
        let response = try harness.say("check, then drop invoice")
        try #require(response.status == 200, "\(response.text)\n\(harness.logs)")
        #expect(response.json["status"] as? String == "completed", "no approval is asked for a repeated id: \(response.text)")
        #expect(response.json["pendingAction"] == nil)
        #expect(response.toolCalls.map { $0["success"] as? Bool } == [true, false], "\(response.text)")
        #expect(errorCode(response.toolCalls.last ?? [:]) == "duplicate_call_id", "\(response.text)")
        #expect(try harness.relationExists("public.invoice"))
        #expect(try harness.trashedCopies(of: "invoice").isEmpty)
        let outputs = try toolOutputs(harness, request: 1)
        #expect(outputs.map(\.id) == ["call_same", "call_same"], "both calls are answered: \(outputs)")
        #expect(outputs.first?.output.contains("42") == true, "the first call's own result comes first: \(outputs)")
        #expect(outputs.last?.output.contains("duplicate_call_id") == true, "\(outputs)")
        try harness.expectThreadContinues(try harness.threadId(), after: "check, then drop invoice")
    }

    @Test("approving a call never runs another call that shared its id: the repeat is answered duplicate_call_id")
    func approvalRunsOnlyItsCall() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        try harness.provider.script([
            callsStep([("call_twin", "drop_table", #"{"table":"invoice"}"#),
                       ("call_twin", "create_table", createTable("twin_made"))]),
        ])
        let paused = try harness.say("drop invoice")
        try #require(paused.status == 200, "\(paused.text)\n\(harness.logs)")
        let action = try #require(paused.json["pendingAction"] as? [String: Any], "\(paused.text)")
        #expect(action["tool"] as? String == "drop_table")
        let actionId = try #require(action["id"] as? String)
        let threadId = try #require(paused.json["threadId"] as? String)

        try harness.provider.script([textStep("Dropped.")])
        let approved = try harness.chat(["approve": .string(actionId), "threadId": .string(threadId)])
        try #require(approved.status == 200, "\(approved.text)\n\(harness.logs)")
        #expect(approved.json["status"] as? String == "completed", "\(approved.text)")
        #expect(approved.toolCalls.map { $0["name"] as? String } == ["drop_table", "create_table"], "\(approved.text)")
        #expect(approved.toolCalls.first?["success"] as? Bool == true, "\(approved.text)")
        #expect(errorCode(approved.toolCalls.last ?? [:]) == "duplicate_call_id", "\(approved.text)")
        #expect(try harness.trashedCopies(of: "invoice").count == 1)
        #expect(try !harness.relationExists("public.twin_made"), "the repeat never ran")
        let outputs = try toolOutputs(harness, request: 1)
        #expect(outputs.map(\.id) == ["call_twin", "call_twin"], "\(outputs)")
        #expect(outputs.first?.output.contains("trashedAs") == true, "\(outputs)")
    }
}

/// `create_table` arguments for a one-column table `name` in public.
private func createTable(_ name: String) -> String {
    #"{"table":"\#(name)","columns":[{"name":"id","type":"bigint"}]}"#
}

/// A script step: the model calls tools under the given ids, `(id, name, arguments JSON)` each.
private func callsStep(_ calls: [(String, String, String)]) -> JSONValue {
    .object(["toolCalls": .array(calls.map { call in
        .object(["callId": .string(call.0), "name": .string(call.1), "arguments": .string(call.2)])
    })])
}

/// The `error.code` of a `toolCalls` entry.
private func errorCode(_ call: [String: Any]) -> String? {
    (call["error"] as? [String: Any])?["code"] as? String
}

/// The tool results sent in model request `index` (0-based), in order, in either API style.
private func toolOutputs(_ harness: ChatHarness, request index: Int) throws -> [(id: String, output: String)] {
    let requests = try harness.provider.requests()
    guard requests.indices.contains(index), let body = requests[index]["body"] else { return [] }
    if let input = body["input"]?.arrayValue {
        return input.filter { $0["type"]?.stringValue == "function_call_output" }
            .map { ($0["call_id"]?.stringValue ?? "", $0["output"]?.stringValue ?? "") }
    }
    return (body["messages"]?.arrayValue ?? []).filter { $0["role"]?.stringValue == "tool" }
        .map { ($0["tool_call_id"]?.stringValue ?? "", $0["content"]?.stringValue ?? "") }
}
