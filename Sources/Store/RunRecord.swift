/// A run as stored: one user turn (or its continuation after an approval) driven by one worker.
public struct RunRecord: Sendable, Equatable {
    /// The run's id, e.g. `run_…`.
    public let id: String
    /// The thread it belongs to.
    public let threadId: String
    /// The user who started it.
    public let userId: String
    /// Where it stands.
    public let status: RunStatus
    /// The worker driving it (`host/pid/start`), while in progress.
    public let worker: String?
    /// The assistant definition's version it used.
    public let assistantVersion: Int64?
    /// The model it used.
    public let model: String?
    /// Model calls made so far.
    public let rounds: Int
    /// Tokens used so far.
    public let inputTokens: Int64
    /// Tokens produced so far.
    public let outputTokens: Int64
    /// The action waiting for approval, in `requires_action`.
    public let pendingActionId: String?
    /// The tool call that action belongs to.
    public let pendingCallId: String?
    /// The assistant's final text, once completed.
    public let response: String?
    /// Why it failed or expired.
    public let errorCode: String?
    /// A message for a person about the failure.
    public let errorMessage: String?
    /// When it was created, in milliseconds since the epoch.
    public let createdAt: Int64
    /// After this time (milliseconds since the epoch) an `in_progress` run is expired by whoever sees it.
    public let deadlineAt: Int64?
}
