import Policies
import Store
import ToolsCore

/// Which calls of one model answer are carried out. The others are not run: each is answered to the model
/// with a tool error, so every call still gets its result and the history stays valid for the provider.
///
/// A call is refused when an earlier call of the same answer used its id (`duplicate_call_id`: results are
/// matched to calls by id, so a second call under the id could be taken for the first one, by an approval
/// for instance), or when the answer already ran `CHAT_MAX_TOOL_CALLS` calls or the run
/// `CHAT_MAX_TOOL_CALLS_PER_RUN` (`too_many_tool_calls`). The decision depends only on the calls and the
/// count before them, so a run resumed after an approval reaches the same one from the stored calls.
struct ToolCallAdmission {
    /// A call and the error it is answered with instead of running (nil: it runs).
    typealias Entry = (call: StoredToolCall, refusal: ToolError?)

    /// The answer's calls in order, each with its decision.
    let calls: [Entry]
    /// How many of them run.
    let admitted: Int

    /// Decides for `calls` (one model answer) when the run already carried out `ranBefore` calls.
    init(calls: [StoredToolCall], ranBefore: Int, settings: ChatSettings) {
        // Compared as Swift compares strings (canonical equivalence), as results and approvals are matched to
        // calls: two ids a provider tells apart by their bytes alone are one id here, so the second is refused.
        var seen: Set<String> = []
        var admitted = 0
        self.calls = calls.map { call in
            guard seen.insert(call.id).inserted else {
                return (call, ToolError(.duplicateCallId, """
                    Another call in this answer already used the id \(call.id); this call was not run. \
                    Give every call its own id.
                    """))
            }
            if admitted >= settings.maxToolCallsPerTurn {
                return (call, ToolError(.tooManyToolCalls, """
                    At most \(settings.maxToolCallsPerTurn) tool calls run per answer; this one was not run. \
                    Make fewer calls at once: use what the others returned, then call again if you still need to.
                    """))
            }
            if ranBefore + admitted >= settings.maxToolCallsPerRun {
                return (call, ToolError(.tooManyToolCalls, """
                    At most \(settings.maxToolCallsPerRun) tool calls run for one message; this one was not run. \
                    Answer with what you have, and tell the user they can ask you to continue.
                    """))
            }
            admitted += 1
            return (call, nil)
        }
        self.admitted = admitted
    }

    /// The admission of the newest of a run's model answers with calls (`turns`, oldest first), and how many
    /// calls the earlier ones carried out: their decisions are replayed, since a run resumed after an approval
    /// has only the stored calls to go by.
    static func newest(of turns: [[StoredToolCall]], settings: ChatSettings) -> (admission: ToolCallAdmission, ranBefore: Int) {
        var ran = 0
        for turn in turns.dropLast() {
            ran += ToolCallAdmission(calls: turn, ranBefore: ran, settings: settings).admitted
        }
        return (ToolCallAdmission(calls: turns.last ?? [], ranBefore: ran, settings: settings), ran)
    }
}
