import JSON
import Operations
import Policies
import Store
import ToolsCore

/// One tool call of a run as the client sees it: `{id, name, arguments, success, error?, durationMs, result}`.
struct ToolCallOutcome: Sendable {
    let id: String
    let name: String
    /// The arguments text as the model wrote it.
    let arguments: String
    let result: ToolResult
    /// The result as stored: the user's copy, as `pgassist tool` prints it (within the output budget). The model's
    /// copy is derived from it (`ModelView`).
    let rendered: String
    let durationMs: Int64

    /// The entry of the response's `toolCalls` list; arguments are JSON when they parse, else the raw text; `result`
    /// is the user's copy of the result (`rendered`).
    var json: JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(id), "name": .string(name),
            "arguments": (try? JSONValue.parse(arguments)) ?? .string(arguments),
            "success": .bool(result.isSuccess), "durationMs": .number(Double(durationMs)),
            "result": (try? JSONValue.parse(rendered)) ?? .string(rendered),
        ]
        if let error = result.error {
            object["error"] = .object(["code": .string(error.code.rawValue), "message": .string(error.message)])
        }
        return .object(object)
    }

    /// The pending action a `confirmation_required` result asks the user about, if it is one.
    var pendingActionId: String? {
        guard result.error?.code == .confirmationRequired else { return nil }
        return result.error?.details["actionId"]?.stringValue
    }
}

extension ToolCallOutcome {
    /// The outcome of `call` answered with `error` without the tool running (refused, declined by the user,
    /// waiting for approval); the result is rendered within `budget` bytes.
    init(_ call: StoredToolCall, notRunBecause error: ToolError, budget: Int) {
        self.init(id: call.id, name: call.name, arguments: call.arguments, result: .failure(error),
                  rendered: ToolResult.failure(error).rendered(budget: budget), durationMs: 0)
    }
}
