import JSON
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
        let model = request.model.isEmpty ? transport.configuration.model : request.model
        try transport.checkConfigured(model: model)
        let body = ResponsesRequestBody.make(request, model: model)
        let apiKey = transport.configuration.apiKey
        let transport = self.transport
        if !request.stream {
            return try transport.withRetries(deadline: deadline) { (timeout: Int) throws(AttemptFailure) -> ModelResponse in
                let json = try transport.postJSON(path: "/responses", body: body, timeoutMilliseconds: timeout)
                do throws(ModelError) {
                    return try ResponsesDecoding.response(from: json, apiKey: apiKey)
                } catch {
                    throw AttemptFailure(error, retryable: false)
                }
            }
        }
        var delivered = false
        return try transport.withRetries(deadline: deadline) { (timeout: Int) throws(AttemptFailure) -> ModelResponse in
            var accumulator = ResponsesStreamAccumulator(apiKey: apiKey)
            let plain = try transport.postStream(path: "/responses", body: body, timeoutMilliseconds: timeout,
                                     delivered: { delivered }) { (event: SSEEvent) throws(ModelError) in
                try accumulator.consume(event) { (output: ModelStreamEvent) throws(ModelError) in
                    delivered = true
                    guard onEvent(output) else {
                        throw ModelError(code: .cancelled, message: "the caller stopped listening")
                    }
                }
            }
            do throws(ModelError) {
                if let plain {
                    let response = try ResponsesDecoding.response(from: plain, apiKey: apiKey)
                    delivered = true
                    try response.replay(to: onEvent)
                    return response
                }
                return try accumulator.finish()
            } catch {
                throw AttemptFailure(error, retryable: !delivered)
            }
        }
    }
}
