import HTTPClient
import JSON
import Logging
import Platform

/// Posts JSON to the provider over one `HTTPClient`, with the official SDKs' retry rules and a
/// deadline. Shared by both dialects.
final class ProviderTransport {
    let configuration: ModelConfiguration
    let logger: Logger
    private var client: HTTPClient?

    init(configuration: ModelConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Fails with `.notConfigured` when there is no model or key.
    func checkConfigured(model: String) throws(ModelError) {
        guard !model.isEmpty else {
            throw ModelError(code: .notConfigured, message: "no model is configured (OPENAI_MODEL)")
        }
        guard configuration.apiKey != nil || configuration.baseURL != ModelConfiguration.defaultBaseURL else {
            throw ModelError(code: .notConfigured, message: "no API key is configured (OPENAI_API_KEY)")
        }
    }

    /// Runs `attempt` until it succeeds, fails for good, runs out of retries or the deadline
    /// passes. `attempt` receives the per-attempt timeout in milliseconds.
    func withRetries<T>(deadline: ContinuousClock.Instant,
                        _ attempt: (Int) throws(AttemptFailure) -> T) throws(ModelError) -> T {
        var retries = 0
        while true {
            let remaining = Int(MonotonicClock.milliseconds(until: deadline))
            guard remaining > 0 else {
                throw ModelError(code: .timedOut, message: "the deadline passed before the model answered")
            }
            do {
                return try attempt(min(configuration.requestTimeoutMilliseconds, remaining))
            } catch {
                guard error.retryable, retries < configuration.maxRetries else { throw error.error }
                let delay = RetryDelay.milliseconds(retriesSoFar: retries, serverDelay: error.serverDelayMilliseconds,
                                                    cap: configuration.maxRetryDelayMilliseconds)
                guard delay < Int(MonotonicClock.milliseconds(until: deadline)) else {
                    var timedOut = error.error
                    timedOut.code = .timedOut
                    timedOut.message = "the deadline leaves no time to retry: " + timedOut.message
                    throw timedOut
                }
                retries += 1
                ProviderRetries.report(error.error)
                logger.info("retrying the model request", metadata: [
                    "error": "\(error.error)", "retry": "\(retries)", "delay_ms": "\(delay)",
                ])
                Sleep.milliseconds(delay)
            }
        }
    }

    /// One non-streaming POST of `body` to `path`; returns the parsed 2xx body.
    func postJSON(path: String, body: JSONValue, timeoutMilliseconds: Int,
                  isCancelled: (@Sendable () -> Bool)? = nil) throws(AttemptFailure) -> JSONValue {
        let http = try httpClient()
        let response: HTTPClientResponse
        do {
            response = try http.send(request(path: path, body: body, stream: false, timeoutMilliseconds: timeoutMilliseconds,
                                             isCancelled: isCancelled))
        } catch {
            throw transportFailure(error)
        }
        guard (200..<300).contains(response.status) else {
            throw httpFailure(status: response.status, header: response.header, body: response.body)
        }
        guard let json = try? JSONValue.parse(response.body) else {
            throw AttemptFailure(ModelError(code: .invalidResponse, status: response.status,
                                            message: "the provider's answer is not JSON"), retryable: false)
        }
        return json
    }

    /// One streaming POST of `body` to `path`: each SSE event of a 2xx answer goes to `handle`;
    /// a throw from `handle` aborts the transfer and is reported as is (never retried).
    /// `delivered` tells whether output already reached the caller (then a broken connection is
    /// `.streamInterrupted`, not retried). Returns the parsed body instead when a server ignored
    /// `stream: true` and answered `application/json`. `isCancelled` answering true abandons it as `.cancelled`.
    func postStream(path: String, body: JSONValue, timeoutMilliseconds: Int, idleTimeoutMilliseconds: Int = 0,
                    isCancelled: (@Sendable () -> Bool)? = nil, delivered: () -> Bool,
                    handle: (SSEEvent) throws(ModelError) -> Void) throws(AttemptFailure) -> JSONValue? {
        let http = try httpClient()
        var status = 0
        var headers: [(name: String, value: String)] = []
        var errorBody: [UInt8] = []
        var parser = SSEParser()
        var handlerError: ModelError?
        var plainJSON = false
        do {
            _ = try http.stream(request(path: path, body: body, stream: true, timeoutMilliseconds: timeoutMilliseconds,
                                        idleTimeoutMilliseconds: idleTimeoutMilliseconds, isCancelled: isCancelled),
                                onHead: { code, received in
                                    status = code
                                    headers = received
                                    let type = received.last { $0.name.lowercased() == "content-type" }?.value
                                    plainJSON = type?.lowercased().hasPrefix("application/json") ?? false
                                },
                                onData: { chunk in
                                    guard (200..<300).contains(status), !plainJSON else {
                                        if errorBody.count < 1 << 20 { errorBody.append(contentsOf: chunk) }
                                        return true
                                    }
                                    for event in parser.feed(chunk) {
                                        do throws(ModelError) {
                                            try handle(event)
                                        } catch {
                                            handlerError = error
                                            return false
                                        }
                                    }
                                    return true
                                })
        } catch {
            if let handlerError { throw AttemptFailure(handlerError, retryable: false) }
            if delivered() && error.code != .cancelled {
                throw AttemptFailure(ModelError(code: .streamInterrupted, status: status,
                                                message: "the stream broke off (\(error.code))"), retryable: false)
            }
            throw transportFailure(error)
        }
        _ = parser.finish()
        guard (200..<300).contains(status) else {
            let response = HTTPClientResponse(status: status, headers: headers, body: errorBody)
            throw httpFailure(status: status, header: response.header, body: errorBody)
        }
        guard plainJSON else { return nil }
        guard let json = try? JSONValue.parse(errorBody) else {
            throw AttemptFailure(ModelError(code: .invalidResponse, status: status,
                                            message: "the provider's answer is not JSON"), retryable: false)
        }
        return json
    }

    private func httpClient() throws(AttemptFailure) -> HTTPClient {
        if let client { return client }
        do {
            let created = try HTTPClient()
            client = created
            return created
        } catch {
            throw AttemptFailure(ModelError(code: .connectionFailed, message: "libcurl could not start"), retryable: false)
        }
    }

    private func request(path: String, body: JSONValue, stream: Bool, timeoutMilliseconds: Int,
                         idleTimeoutMilliseconds: Int = 0, isCancelled: (@Sendable () -> Bool)?) -> HTTPClientRequest {
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"),
            ("Accept", stream ? "text/event-stream" : "application/json"),
            ("User-Agent", "pgassist"),
        ]
        if let apiKey = configuration.apiKey { headers.append(("Authorization", "Bearer " + apiKey)) }
        for (name, value) in configuration.extraHeaders { headers.append((name, value)) }
        return HTTPClientRequest(method: "POST", url: configuration.baseURL + path, headers: headers,
                                 body: body.serializedBytes(), timeoutMilliseconds: timeoutMilliseconds,
                                 connectTimeoutMilliseconds: min(configuration.connectTimeoutMilliseconds, timeoutMilliseconds),
                                 idleTimeoutMilliseconds: idleTimeoutMilliseconds, isCancelled: isCancelled)
    }

    private func httpFailure(status: Int, header: (String) -> String?, body: [UInt8]) -> AttemptFailure {
        let delay = RetryDelay.serverDelayMilliseconds(header)
        let error = ProviderErrorMapping.error(status: status, body: body, retryAfterMilliseconds: delay,
                                               apiKey: configuration.apiKey)
        var retryable = status == 408 || status == 409 || status == 429 || status >= 500
        switch header("x-should-retry")?.lowercased() {
        case "true": retryable = true
        case "false": retryable = false
        default: break
        }
        return AttemptFailure(error, retryable: retryable, serverDelayMilliseconds: delay)
    }

    private func transportFailure(_ error: HTTPClientError) -> AttemptFailure {
        switch error.code {
        case .timedOut:
            AttemptFailure(ModelError(code: .timedOut, message: "the model provider did not answer in time"), retryable: true)
        case .couldNotConnect, .transferFailed:
            AttemptFailure(ModelError(code: .connectionFailed, message: "could not reach the model provider (\(error.code))"),
                           retryable: true)
        case .responseTooLarge:
            AttemptFailure(ModelError(code: .invalidResponse, message: "the provider's answer is too large"), retryable: false)
        case .cancelled:
            AttemptFailure(ModelError(code: .cancelled, message: "the caller stopped waiting for the answer"), retryable: false)
        default:
            AttemptFailure(ModelError(code: .connectionFailed, message: "the request to the model provider failed (\(error.code))"),
                           retryable: false)
        }
    }
}
