import HTTP
import JSON

/// How a chat request ended, rendered as the body of `POST /chat` (or of the `run.completed` event):
/// `{response, threadId, runId, status, toolCalls, usage, pendingAction?}`; a failure is an API error.
struct ChatReply {
    let threadId: String
    let runId: String
    let status: RunStatus
    /// The assistant's text of this request (empty while waiting for approval or when cancelled early).
    let response: String
    let toolCalls: [ToolCallOutcome]
    let inputTokens: Int
    let outputTokens: Int
    /// `{id, tool, arguments, impact, expiresAt}` while the run waits for approval.
    let pendingAction: JSONValue?
    /// Why the run failed, when it did.
    let failure: APIError?

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "response": .string(response), "threadId": .string(threadId), "runId": .string(runId),
            "status": .string(status.rawValue), "toolCalls": .array(toolCalls.map(\.json)),
            "usage": .object(["inputTokens": .number(Double(inputTokens)), "outputTokens": .number(Double(outputTokens))]),
        ]
        if let pendingAction { object["pendingAction"] = pendingAction }
        return .object(object)
    }

    /// The HTTP response of a non-streaming request: the body, or the failure's JSON error.
    var httpResponse: HTTPResponse {
        if let failure { return HTTPResponse(error: failure) }
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: json.serializedBytes())
    }
}
