import Logging

/// A connection to a model provider; one per worker thread (it owns an HTTP client).
public protocol ModelClient: AnyObject {
    /// Sends `request` and returns the model's answer, retrying transient failures until `deadline`.
    ///
    /// When `request.stream` is true, `onEvent` receives the output as it arrives; returning false
    /// cancels the call (the client went away). Once any event was delivered, nothing is retried.
    func respond(_ request: ModelRequest, deadline: ContinuousClock.Instant,
                 onEvent: (ModelStreamEvent) -> Bool) throws(ModelError) -> ModelResponse
}

/// Creates the client for `configuration.style`.
public func makeModelClient(_ configuration: ModelConfiguration, logger: Logger) -> any ModelClient {
    switch configuration.style {
    case .responses: ResponsesClient(configuration: configuration, logger: logger)
    case .chatCompletions: ChatCompletionsClient(configuration: configuration, logger: logger)
    }
}
