import JSON

/// One entry of a conversation's history, independent of the provider's dialect.
public enum ConversationItem: Sendable, Equatable {
    /// Text the user wrote.
    case userMessage(String)
    /// Text the assistant answered.
    case assistantMessage(String)
    /// The model asked to call a tool; `arguments` is the model's JSON text, untouched.
    case functionCall(callId: String, name: String, arguments: String)
    /// The result of a tool call, as text (usually JSON).
    case functionOutput(callId: String, output: String)
    /// An output item kept verbatim (e.g. a Responses `reasoning` item with `encrypted_content`),
    /// sent back as is in the next request of the same style.
    case providerItem(JSONValue)
}
