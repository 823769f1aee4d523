import ChatEngine
import HTTP
import Platform
import Policies
import Store

/// One stored message as clients see it; tool calls and results are JSON, not strings.
struct MessageResponse: Encodable {
    let id: String
    let seq: Int64
    let role: String
    let content: String?
    let toolCalls: JSONValue?
    let toolCallId: String?
    let toolResult: JSONValue?
    let runId: String?
    let createdAt: String

    init(_ record: MessageRecord) {
        id = record.id
        seq = record.seq
        role = record.role
        content = record.content
        toolCalls = record.toolCalls.map(Self.json)
        toolCallId = record.toolCallId
        toolResult = record.toolResult.map(Self.json)
        runId = record.runId
        createdAt = WallClock.iso8601(record.createdAt)
    }

    /// Stored JSON text as a JSON value (text that is not JSON is returned as a string).
    private static func json(_ text: String) -> JSONValue {
        (try? JSONCoding.decode(JSONValue.self, from: Array(text.utf8))) ?? .string(text)
    }
}
