/// A message to append to a thread; the store assigns its id, position and time.
public struct NewMessage: Sendable {
    /// `user`, `assistant`, `tool` or `system`.
    public var role: String
    /// The text, when it has one.
    public var content: String?
    /// The model's tool calls, as JSON text.
    public var toolCalls: String?
    /// For a tool result: the id of the call it answers.
    public var toolCallId: String?
    /// For a tool result: the result, as JSON text.
    public var toolResult: String?
    /// The run that produced it.
    public var runId: String?
    /// For an assistant message: the provider's output items kept verbatim (a JSON array).
    public var providerItems: String?
    /// For a tool result: the tool's name.
    public var toolName: String?
    /// For a tool result: how long the tool ran, in milliseconds.
    public var durationMs: Int64?

    /// Creates a message.
    public init(role: String, content: String? = nil, toolCalls: String? = nil, toolCallId: String? = nil,
                toolResult: String? = nil, runId: String? = nil, providerItems: String? = nil, toolName: String? = nil,
                durationMs: Int64? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallId = toolCallId
        self.toolResult = toolResult
        self.runId = runId
        self.providerItems = providerItems
        self.toolName = toolName
        self.durationMs = durationMs
    }
}
