/// How many rows a purge of the thread store deleted (or, in a dry run, would delete).
public struct PurgeCounts: Sendable, Equatable {
    /// Deleted threads removed for good.
    public var threads = 0
    /// Their messages.
    public var messages = 0
    /// Their runs.
    public var runs = 0
    /// Approvals their runs waited for, and any approval that expired before the cutoff.
    public var pendingActions = 0
    /// Idempotency keys of their users from before the threads were deleted, and every key past its 24 hours.
    public var idempotencyKeys = 0
    /// Audit events older than the cutoff (only when asked for).
    public var auditEvents = 0

    /// Creates zero counts.
    public init() {}
}
