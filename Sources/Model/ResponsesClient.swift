import Logging

/// A `ModelClient` for the Responses API (`POST {base}/responses`), stateless (`store: false`),
/// keeping reasoning items (with `encrypted_content`) for the next turn.
public final class ResponsesClient: ModelClient {
    private let transport: ProviderTransport

    /// Creates a client; it opens its HTTP connection on first use.
    public init(configuration: ModelConfiguration, logger: Logger) {
        transport = ProviderTransport(configuration: configuration, logger: logger)
    }

    /// Sends `request`; see `ModelClient.respond`.
    public func respond(_ request: ModelRequest, deadline: ContinuousClock.Instant,
                        onEvent: (ModelStreamEvent) -> Bool) throws(ModelError) -> ModelResponse {
        try transport.respond(ResponsesDialect.self, request, deadline: deadline, onEvent: onEvent)
    }
}
