import Policies
import Store
import ToolsCore

/// Codes of the tool errors the run loop answers a call with in place of running it.
extension ToolError.Code {
    /// A call of a model answer reused the id of an earlier call of that answer; it was not run.
    static let duplicateCallId = ToolError.Code(rawValue: "duplicate_call_id")
    /// A call past `CHAT_MAX_TOOL_CALLS` (per answer) or `CHAT_MAX_TOOL_CALLS_PER_RUN`; it was not run.
    static let tooManyToolCalls = ToolError.Code(rawValue: "too_many_tool_calls")
}
