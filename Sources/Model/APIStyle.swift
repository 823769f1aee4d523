/// Which OpenAI wire dialect a provider speaks.
public enum APIStyle: String, Sendable {
    /// `POST {base}/responses` (the Responses API).
    case responses
    /// `POST {base}/chat/completions` (Chat Completions, spoken by most compatible servers).
    case chatCompletions = "chat-completions"
}
