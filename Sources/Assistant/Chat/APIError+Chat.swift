import HTTP

extension APIError.Code {
    /// The thread already has a run in progress; wait for it or cancel it.
    public static let runInProgress = APIError.Code(rawValue: "run_in_progress")
    /// The thread's run waits for the user to approve or reject an action first.
    public static let actionPending = APIError.Code(rawValue: "action_pending")
    /// No such thread for this user (another user's thread is reported the same way).
    public static let threadNotFound = APIError.Code(rawValue: "thread_not_found")
    /// No pending action with this id on the thread.
    public static let actionNotFound = APIError.Code(rawValue: "action_not_found")
    /// No run with this id on the thread.
    public static let runNotFound = APIError.Code(rawValue: "run_not_found")
    /// The model provider refused our API key (401/403).
    public static let providerAuthFailed = APIError.Code(rawValue: "provider_auth_failed")
    /// The model provider kept rate-limiting us after the retries.
    public static let providerRateLimited = APIError.Code(rawValue: "provider_rate_limited")
    /// The model provider failed (5xx) or answered something unreadable.
    public static let providerError = APIError.Code(rawValue: "provider_error")
    /// The model provider did not answer within the deadline.
    public static let providerTimeout = APIError.Code(rawValue: "provider_timeout")
    /// The model provider could not be reached.
    public static let providerUnreachable = APIError.Code(rawValue: "provider_unreachable")
    /// The model provider rejected the request (a 4xx other than auth and rate limits).
    public static let providerRejected = APIError.Code(rawValue: "provider_rejected")
    /// The conversation does not fit the model's context even after trimming.
    public static let contextTooLong = APIError.Code(rawValue: "context_too_long")
    /// The project is not in the server's project registry (and the request named no database).
    public static let projectNotFound = APIError.Code(rawValue: "project_not_found")
    /// The chat request's deadline passed.
    public static let deadlineExceeded = APIError.Code(rawValue: "deadline_exceeded")
}
