import Policies

/// Why a chat request was refused or a run failed: a code a client can act on and a message for a person.
///
/// The engine knows no HTTP; the edge gives each code its status (`APIError(ChatError)`). Messages never hold
/// secrets (connection strings, API keys) or the store's internals.
public struct ChatError: Error, Sendable, CustomStringConvertible {
    /// A machine-readable code, sent to clients as is. New codes can be added without breaking anyone.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The wire form, e.g. `run_in_progress`.
        public let rawValue: String
        /// A code from its wire form.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The wire form.
        public var description: String { rawValue }

        /// The thread already has a run in progress; wait for it or cancel it.
        public static let runInProgress = Code(rawValue: "run_in_progress")
        /// The thread's run waits for the user to approve or reject an action first.
        public static let actionPending = Code(rawValue: "action_pending")
        /// No such thread for this user (another user's thread is reported the same way).
        public static let threadNotFound = Code(rawValue: "thread_not_found")
        /// No pending action with this id on the thread.
        public static let actionNotFound = Code(rawValue: "action_not_found")
        /// No run with this id on the thread.
        public static let runNotFound = Code(rawValue: "run_not_found")
        /// An approval given with another database or project than the action was asked for.
        public static let invalidApproval = Code(rawValue: "invalid_approval")
        /// The project is not in the server's project registry (and the request named no database).
        public static let projectNotFound = Code(rawValue: "project_not_found")
        /// The chat request's deadline passed.
        public static let deadlineExceeded = Code(rawValue: "deadline_exceeded")
        /// The user reached a limit on chat runs or model tokens.
        public static let rateLimited = Code(rawValue: "rate_limited")
        /// No model provider is configured, so chat cannot run.
        public static let modelNotConfigured = Code(rawValue: "model_not_configured")
        /// The model provider refused our API key (401/403).
        public static let providerAuthFailed = Code(rawValue: "provider_auth_failed")
        /// The model provider kept rate-limiting us after the retries.
        public static let providerRateLimited = Code(rawValue: "provider_rate_limited")
        /// The model provider failed (5xx) or answered something unreadable.
        public static let providerError = Code(rawValue: "provider_error")
        /// The model provider did not answer within the deadline.
        public static let providerTimeout = Code(rawValue: "provider_timeout")
        /// The model provider could not be reached.
        public static let providerUnreachable = Code(rawValue: "provider_unreachable")
        /// The model provider rejected the request (a 4xx other than auth and rate limits).
        public static let providerRejected = Code(rawValue: "provider_rejected")
        /// The conversation does not fit the model's context even after trimming.
        public static let contextTooLong = Code(rawValue: "context_too_long")
        /// A request's connection string names a database host (or port) that is not allowed.
        public static let databaseHostNotAllowed = Code(rawValue: DatabaseHostError.Code.hostNotAllowed.rawValue)
        /// This server does not take connection strings from requests.
        public static let connectionStringNotAllowed = Code(rawValue: DatabaseHostError.Code.connectionStringNotAllowed.rawValue)
        /// A request's connection string cannot be parsed.
        public static let invalidConnectionString = Code(rawValue: DatabaseHostError.Code.invalidConnectionString.rawValue)
        /// A request's connection string sets a libpq option requests may not use.
        public static let connectionOptionNotAllowed = Code(rawValue: DatabaseHostError.Code.connectionOptionNotAllowed.rawValue)
        /// A value in a request's connection string holds a control character.
        public static let controlCharacterNotAllowed = Code(rawValue: DatabaseHostError.Code.controlCharacterNotAllowed.rawValue)
        /// The thread store stayed locked by other writers past the busy timeout.
        public static let storeBusy = Code(rawValue: "store_busy")
        /// The thread store cannot be reached or answered with an error.
        public static let storeUnavailable = Code(rawValue: "store_unavailable")
    }

    /// What went wrong.
    public let code: Code
    /// A message for a person: what is wrong and, where possible, how to fix it.
    public let message: String
    /// When trying again helps, after how many seconds.
    public let retryAfterSeconds: Int?

    /// An error with `code` and `message`.
    public init(_ code: Code, _ message: String, retryAfterSeconds: Int? = nil) {
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// `code: message`, for logs.
    public var description: String { "\(code.rawValue): \(message)" }
}
