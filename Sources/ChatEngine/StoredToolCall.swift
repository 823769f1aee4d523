import JSON
import Operations
import Policies
import Store

/// A tool call as kept in an assistant message's `tool_calls` column: `[{"id", "name", "arguments"}]`,
/// with the arguments text exactly as the model wrote it.
struct StoredToolCall: Sendable, Equatable {
    let id: String
    let name: String
    let arguments: String

    /// The column's JSON text for `calls`.
    static func encode(_ calls: [StoredToolCall]) -> String {
        JSONValue.array(calls.map { call in
            .object(["id": .string(call.id), "name": .string(call.name), "arguments": .string(call.arguments)])
        }).serialized()
    }

    /// The calls in a `tool_calls` column (empty for nil or unreadable text).
    static func decode(_ text: String?) -> [StoredToolCall] {
        guard let text, let list = (try? JSONValue.parse(text))?.arrayValue else { return [] }
        return list.compactMap { item in
            guard let id = item["id"]?.stringValue, let name = item["name"]?.stringValue else { return nil }
            return StoredToolCall(id: id, name: name, arguments: item["arguments"]?.stringValue ?? "")
        }
    }
}
