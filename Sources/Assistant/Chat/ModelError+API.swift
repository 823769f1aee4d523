import HTTP
import Model

extension ModelError {
    /// The error a chat client gets for this model failure. The provider's own message is kept only for
    /// requests it rejected (it says what was wrong); it never holds the API key.
    var apiError: APIError {
        switch code {
        case .authFailed:
            APIError(status: 502, code: .providerAuthFailed,
                     message: "The model provider refused this server's credentials; an administrator must fix OPENAI_API_KEY.")
        case .rateLimited:
            APIError(status: 429, code: .providerRateLimited,
                     message: "The model provider is rate-limiting this server; try again shortly.",
                     headers: [("Retry-After", "\(max(retryAfterSeconds ?? 10, 1))")])
        case .timedOut:
            APIError(status: 504, code: .providerTimeout, message: "The model provider did not answer in time; try again.")
        case .connectionFailed:
            APIError(status: 502, code: .providerUnreachable, message: "The model provider cannot be reached; try again shortly.")
        case .notConfigured:
            APIError(status: 503, code: .modelNotConfigured,
                     message: "Chat is not available: no model provider is configured on this server (\(message)).")
        case .contextTooLong:
            APIError(status: 422, code: .contextTooLong,
                     message: "The conversation is too long for the model even after trimming; start a new thread.")
        case .badRequest:
            APIError(status: 502, code: .providerRejected, message: "The model provider rejected the request: \(message)")
        default:
            APIError(status: 502, code: .providerError, message: "The model provider failed (\(code)); try again.")
        }
    }
}
