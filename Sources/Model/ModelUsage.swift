/// Tokens used by one model call.
public struct ModelUsage: Sendable, Equatable {
    /// Tokens in the prompt (instructions, history, tools).
    public var inputTokens: Int
    /// Tokens the model produced (including reasoning).
    public var outputTokens: Int

    /// Creates a usage record.
    public init(inputTokens: Int = 0, outputTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}
