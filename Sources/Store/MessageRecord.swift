/// One message of a thread as stored, in thread order.
public struct MessageRecord: Sendable, Equatable {
    /// The message's id, e.g. `msg_…`.
    public let id: String
    /// Its position in the thread, starting at 1.
    public let seq: Int64
    /// `user`, `assistant`, `tool` or `system`.
    public let role: String
    /// The text, when it has one.
    public let content: String?
    /// The model's tool calls, as JSON text, when it made any.
    public let toolCalls: String?
    /// For a tool result: the id of the call it answers.
    public let toolCallId: String?
    /// For a tool result: the result, as JSON text.
    public let toolResult: String?
    /// The run that produced it, when one did.
    public let runId: String?
    /// When it was stored, in milliseconds since the epoch.
    public let createdAt: Int64
    /// For an assistant message: the provider's output items kept verbatim (a JSON array), when the dialect has them.
    public let providerItems: String?
    /// For a tool result: the tool's name.
    public let toolName: String?
    /// For a tool result: how long the tool ran, in milliseconds.
    public let durationMs: Int64?

    /// Creates a record.
    public init(id: String, seq: Int64, role: String, content: String?, toolCalls: String?, toolCallId: String?,
                toolResult: String?, runId: String?, createdAt: Int64,
                providerItems: String? = nil, toolName: String? = nil, durationMs: Int64? = nil) {
        self.id = id
        self.seq = seq
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallId = toolCallId
        self.toolResult = toolResult
        self.runId = runId
        self.createdAt = createdAt
        self.providerItems = providerItems
        self.toolName = toolName
        self.durationMs = durationMs
    }
}
