@testable import ChatEngine
@testable import Operations
import Platform
@testable import Policies
@testable import Store
import Testing
import ToolsCore

/// Which calls of a model answer run: repeated ids and calls past CHAT_MAX_TOOL_CALLS(_PER_RUN) are answered
/// with an error instead.
@Suite("Tool call admission")
struct ToolCallAdmissionTests {
    private func calls(_ ids: [String]) -> [StoredToolCall] {
        ids.enumerated().map { StoredToolCall(id: $1, name: "run_sql", arguments: #"{"query":"select \#($0)"}"#) }
    }

    private func settings(perTurn: Int, perRun: Int) -> ChatSettings {
        var settings = ChatSettings()
        settings.maxToolCallsPerTurn = perTurn
        settings.maxToolCallsPerRun = perRun
        return settings
    }

    @Test("CHAT_MAX_TOOL_CALLS and CHAT_MAX_TOOL_CALLS_PER_RUN default to 16 and 64; bad values name the variable")
    func settingsFromEnvironment() throws {
        let defaults = try ChatSettings(environment: [:])
        #expect(defaults.maxToolCallsPerTurn == 16 && defaults.maxToolCallsPerRun == 64)
        let set = try ChatSettings(environment: ["CHAT_MAX_TOOL_CALLS": "3", "CHAT_MAX_TOOL_CALLS_PER_RUN": "5"])
        #expect(set.maxToolCallsPerTurn == 3 && set.maxToolCallsPerRun == 5)
        for (name, value) in [("CHAT_MAX_TOOL_CALLS", "0"), ("CHAT_MAX_TOOL_CALLS", "many"), ("CHAT_MAX_TOOL_CALLS_PER_RUN", "-1")] {
            #expect(throws: ConfigurationError.self, "\(name)=\(value)") { try ChatSettings(environment: [name: value]) }
        }
    }

    @Test("a repeated id is refused (duplicate_call_id) and does not count; calls past the per-answer cap are too_many_tool_calls")
    func duplicatesAndTurnCap() {
        let admission = ToolCallAdmission(calls: calls(["a", "b", "a", "c", "d", "b", "e"]), ranBefore: 0,
                                          settings: settings(perTurn: 3, perRun: 100))
        #expect(admission.calls.map(\.refusal?.code.rawValue) == [nil, nil, "duplicate_call_id", nil, "too_many_tool_calls",
                                                                 "duplicate_call_id", "too_many_tool_calls"])
        #expect(admission.admitted == 3)
        #expect(admission.calls.map(\.call.id) == ["a", "b", "a", "c", "d", "b", "e"], "every call keeps its place")
    }

    @Test("ids equal as Unicode text but not as bytes count as one id")
    func canonicallyEqualIds() {
        let admission = ToolCallAdmission(calls: calls(["call_\u{E9}", "call_e\u{301}"]), ranBefore: 0,
                                          settings: settings(perTurn: 16, perRun: 64))
        #expect(admission.calls.map(\.refusal?.code.rawValue) == [nil, "duplicate_call_id"])
    }

    @Test("the per-run cap counts the calls earlier answers ran; replaying a run's answers gives the same decisions")
    func runCap() {
        let limits = settings(perTurn: 3, perRun: 5)
        let first = calls(["a", "b", "c", "d"])  // 3 run, d refused
        let second = calls(["e", "f", "g"])     // 2 run (5 in all), g refused
        let one = ToolCallAdmission(calls: first, ranBefore: 0, settings: limits)
        let two = ToolCallAdmission(calls: second, ranBefore: one.admitted, settings: limits)
        #expect(two.calls.map(\.refusal?.code.rawValue) == [nil, nil, "too_many_tool_calls"])
        #expect(two.calls.last?.refusal?.message.contains("5 tool calls") == true)
        let replayed = ToolCallAdmission.newest(of: [first, second], settings: limits)
        #expect(replayed.ranBefore == 3)
        #expect(replayed.admission.calls.map(\.refusal) == two.calls.map(\.refusal))
        #expect(ToolCallAdmission(calls: calls(["h"]), ranBefore: 5, settings: limits).admitted == 0)
    }
}
