import JSON
import Store

/// How a chat request ended, as the body of `POST /chat` (or of the `run.completed` event) shows it:
/// `{response, threadId, runId, status, toolCalls, usage, pendingAction?}`; a failed run carries its error.
public struct ChatReply: Sendable {
    /// The run's thread.
    public let threadId: String
    /// The run.
    public let runId: String
    /// Where the run stands now: completed, requires action, cancelled, expired, or failed.
    public let status: RunStatus
    /// The assistant's text of this request (empty while waiting for approval or when cancelled early).
    public let response: String
    let toolCalls: [ToolCallOutcome]
    /// Model tokens this request used.
    public let inputTokens: Int
    /// Model tokens this request's answers used.
    public let outputTokens: Int
    /// `{id, tool, arguments, impact, expiresAt, callId}` while the run waits for approval.
    public let pendingAction: JSONValue?
    /// Why the run failed, when it did.
    public let failure: ChatError?

    /// The answer's JSON body (a failed run answers its error instead).
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "response": .string(response), "threadId": .string(threadId), "runId": .string(runId),
            "status": .string(status.rawValue), "toolCalls": .array(toolCalls.map(\.json)),
            "usage": .object(["inputTokens": .number(Double(inputTokens)), "outputTokens": .number(Double(outputTokens))]),
        ]
        if let pendingAction { object["pendingAction"] = pendingAction }
        return .object(object)
    }
}
