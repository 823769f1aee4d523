import Platform

extension ProviderTransport {
    /// Sends `request` in `dialect` with retries within `deadline`, whole or streamed. Once a stream
    /// has delivered anything to `onEvent` it is never retried; `onEvent` returning false cancels.
    func respond<Dialect: WireDialect>(_ dialect: Dialect.Type, _ request: ModelRequest, deadline: ContinuousClock.Instant,
                                       onEvent: (ModelStreamEvent) -> Bool) throws(ModelError) -> ModelResponse {
        let model = request.model.isEmpty ? configuration.model : request.model
        try checkConfigured(model: model)
        let body = Dialect.body(request, model: model)
        let apiKey = configuration.apiKey
        if !request.stream {
            return try withRetries(deadline: deadline) { (timeout: Int) throws(AttemptFailure) -> ModelResponse in
                let json = try postJSON(path: Dialect.path, body: body, timeoutMilliseconds: timeout,
                                        isCancelled: request.isCancelled)
                do throws(ModelError) {
                    return try Dialect.response(from: json, apiKey: apiKey)
                } catch {
                    throw AttemptFailure(error, retryable: false)
                }
            }
        }
        var delivered = false
        return try withRetries(deadline: deadline) { (timeout: Int) throws(AttemptFailure) -> ModelResponse in
            var accumulator = Dialect.Accumulator(apiKey: apiKey)
            // A stream may run as long as the deadline allows; the per-attempt timeout bounds its silences.
            let plain = try postStream(path: Dialect.path, body: body,
                                       timeoutMilliseconds: max(timeout, Int(MonotonicClock.milliseconds(until: deadline))),
                                       idleTimeoutMilliseconds: timeout, isCancelled: request.isCancelled,
                                       delivered: { delivered }) { (event: SSEEvent) throws(ModelError) in
                try accumulator.consume(event) { (output: ModelStreamEvent) throws(ModelError) in
                    delivered = true
                    guard onEvent(output) else {
                        throw ModelError(code: .cancelled, message: "the caller stopped listening")
                    }
                }
            }
            do throws(ModelError) {
                // A server that ignored `stream: true` answered with plain JSON: replay it as events.
                if let plain {
                    let response = try Dialect.response(from: plain, apiKey: apiKey)
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
