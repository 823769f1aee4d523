/// The model's answer to one `ModelRequest`.
public struct ModelResponse: Sendable, Equatable {
    /// The output in order, to append to the history: for the Responses API each output item verbatim
    /// as `.providerItem`; for Chat Completions `.assistantMessage` and `.functionCall` items.
    public var outputItems: [ConversationItem]
    /// The assistant's text (all text parts joined).
    public var text: String
    /// The function calls the model asked for, in order.
    public var toolCalls: [ModelToolCall]
    /// Tokens used.
    public var usage: ModelUsage
    /// How the call ended.
    public var status: ModelResponseStatus

    /// Creates a response.
    public init(outputItems: [ConversationItem], text: String, toolCalls: [ModelToolCall], usage: ModelUsage,
                status: ModelResponseStatus) {
        self.outputItems = outputItems
        self.text = text
        self.toolCalls = toolCalls
        self.usage = usage
        self.status = status
    }
}
