/// How a model call ended.
public enum ModelResponseStatus: Sendable, Equatable {
    /// The model finished its turn (with text, tool calls or both).
    case completed
    /// The model stopped early; `reason` is `max_output_tokens`, `content_filter` or the provider's word.
    case incomplete(reason: String)
}
