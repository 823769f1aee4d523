/// A failed model call.
///
/// `message` is the provider's error message with the API key removed; `description` names only
/// the code and status, so logging the error never leaks user data.
public struct ModelError: Error, Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is; new codes may be added without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case authFailed, rateLimited, providerError, timedOut, badRequest, contextTooLong
            case streamInterrupted, notConfigured, connectionFailed, invalidResponse, cancelled
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The API key is missing, wrong or not allowed (401, 403).
        public static let authFailed = Code(.authFailed)
        /// The provider rate-limited us or the quota is used up (429, after retries).
        public static let rateLimited = Code(.rateLimited)
        /// The provider failed (5xx, or a failure reported inside a stream).
        public static let providerError = Code(.providerError)
        /// The deadline or the request timeout passed.
        public static let timedOut = Code(.timedOut)
        /// The provider refused the request (4xx other than the above); `message` says why.
        public static let badRequest = Code(.badRequest)
        /// The conversation is longer than the model's context window.
        public static let contextTooLong = Code(.contextTooLong)
        /// A stream broke off after it had started delivering output.
        public static let streamInterrupted = Code(.streamInterrupted)
        /// No model or API key is configured.
        public static let notConfigured = Code(.notConfigured)
        /// The provider could not be reached or the connection broke.
        public static let connectionFailed = Code(.connectionFailed)
        /// The provider answered something that is not the expected JSON or SSE.
        public static let invalidResponse = Code(.invalidResponse)
        /// `onEvent` returned false or the request's `isCancelled` answered true: the caller no longer
        /// wants the answer.
        public static let cancelled = Code(.cancelled)

        /// The code's name, such as `rateLimited`.
        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// The HTTP status the provider answered, if any.
    public var status: Int?
    /// Seconds the provider asked us to wait before trying again, if it said.
    public var retryAfterSeconds: Int?
    /// The provider's error message (or ours), never containing the API key.
    public var message: String

    /// Creates an error; `message` must not contain credentials.
    public init(code: Code, status: Int? = nil, retryAfterSeconds: Int? = nil, message: String) {
        self.code = code
        self.status = status
        self.retryAfterSeconds = retryAfterSeconds
        self.message = message
    }

    /// The code and status only.
    public var description: String {
        if let status { return "ModelError.\(code) (HTTP \(status))" }
        return "ModelError.\(code)"
    }

    /// The code, status, retry hint and message.
    public var debugDescription: String {
        var text = description
        if let retryAfterSeconds { text += " retry after \(retryAfterSeconds) s" }
        return text + ": " + message
    }
}
