/// A function call the model asked for.
public struct ModelToolCall: Sendable, Equatable {
    /// The provider's id for this call; the output must carry the same id.
    public var callId: String
    /// The function's name.
    public var name: String
    /// The arguments as JSON text exactly as the model wrote them (may be invalid JSON).
    public var arguments: String

    /// Creates a tool call.
    public init(callId: String, name: String, arguments: String) {
        self.callId = callId
        self.name = name
        self.arguments = arguments
    }
}
