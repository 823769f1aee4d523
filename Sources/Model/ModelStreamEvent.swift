/// Something the model produced while streaming, passed to `onEvent` as it arrives.
public enum ModelStreamEvent: Sendable, Equatable {
    /// More assistant text.
    case textDelta(String)
    /// The model began a function call.
    case toolCallStarted(callId: String, name: String)
    /// More of a function call's arguments text.
    case toolCallArgumentsDelta(callId: String, delta: String)
}
