/// One call to the model: instructions, history and tools.
public struct ModelRequest: Sendable {
    /// The model name; empty uses the configured model.
    public var model: String
    /// The system instructions; empty sends none.
    public var instructions: String
    /// The conversation so far, oldest first.
    public var items: [ConversationItem]
    /// The functions the model may call.
    public var tools: [ToolDefinition]
    /// The most tokens the model may produce, or nil for the provider's default.
    public var maxOutputTokens: Int?
    /// Whether to stream the answer (events go to `onEvent`).
    public var stream: Bool
    /// Asked (from the calling thread, about once a second while the provider is silent) whether the
    /// answer is still wanted; true abandons the call with `.cancelled`. Set by another thread, e.g.
    /// when a streamed answer's heartbeat finds the client gone, so it must be safe from any thread.
    public var isCancelled: (@Sendable () -> Bool)?

    /// Creates a request.
    public init(model: String = "", instructions: String, items: [ConversationItem], tools: [ToolDefinition] = [],
                maxOutputTokens: Int? = nil, stream: Bool = false, isCancelled: (@Sendable () -> Bool)? = nil) {
        self.model = model
        self.instructions = instructions
        self.items = items
        self.tools = tools
        self.maxOutputTokens = maxOutputTokens
        self.stream = stream
        self.isCancelled = isCancelled
    }
}
