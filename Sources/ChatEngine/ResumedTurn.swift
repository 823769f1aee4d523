import Policies
import Store
import ToolsCore

/// The model answer a run paused in, found again when the user answers its approval: the call that waits,
/// and the calls after it that have no result yet, each with the admission's decision.
struct ResumedTurn {
    /// The call the approval is for.
    let call: StoredToolCall
    /// The calls after it still without a result, in order, as `ToolCallAdmission` decided them.
    let rest: [ToolCallAdmission.Entry]
    /// Tool calls the run let run, this answer's included: where the resumed run's count goes on from.
    let ranToolCalls: Int

    /// Finds call `callId` in the newest answer of `messages` that made it; `runTurns` are the `tool_calls` of
    /// every answer of the run (`RunStore.toolCalls`), whose decisions are replayed. Nil when that answer's
    /// first call with the id already has a result: only a first call can have asked for approval (a repeat
    /// of its id is refused, never run), so an approval never runs a call that merely shares its id.
    init?(callId: String, messages: [MessageRecord], runTurns: [String], settings: ChatSettings) {
        let results = ToolCallResults(messages: messages)
        guard let turn = results.turns.filter({ $0.value.contains { $0.call.id == callId } }).max(by: { $0.key < $1.key })?.value,
              let position = turn.firstIndex(where: { $0.call.id == callId }), turn[position].result == nil else {
            return nil
        }
        let (admission, ranBefore) = ToolCallAdmission.newest(of: runTurns.map(StoredToolCall.decode), settings: settings)
        // The run's newest answer is the one it paused in.
        guard admission.calls.map(\.call) == turn.map(\.call) else { return nil }
        call = turn[position].call
        rest = turn.indices.dropFirst(position + 1).filter { turn[$0].result == nil }.map { admission.calls[$0] }
        ranToolCalls = ranBefore + admission.admitted
    }
}
