import Logging

/// A `ModelClient` for Chat Completions (`POST {base}/chat/completions`), the dialect most
/// OpenAI-compatible servers speak.
public final class ChatCompletionsClient: ModelClient {
    private let transport: ProviderTransport

    /// Creates a client; it opens its HTTP connection on first use.
    public init(configuration: ModelConfiguration, logger: Logger) {
        transport = ProviderTransport(configuration: configuration, logger: logger)
    }

    /// Sends `request`; see `ModelClient.respond`.
    public func respond(_ request: ModelRequest, deadline: ContinuousClock.Instant,
                        onEvent: (ModelStreamEvent) -> Bool) throws(ModelError) -> ModelResponse {
        try transport.respond(ChatCompletionsDialect.self, request, deadline: deadline, onEvent: onEvent)
    }
}
