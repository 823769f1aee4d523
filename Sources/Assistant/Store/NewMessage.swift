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

    /// Creates a message.
    public init(role: String, content: String? = nil, toolCalls: String? = nil, toolCallId: String? = nil,
                toolResult: String? = nil, runId: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallId = toolCallId
        self.toolResult = toolResult
        self.runId = runId
    }
}
