/// A thread as an export shows it: current or deleted.
public struct HistoryThread: Sendable, Equatable {
    /// The thread as the rest of the API knows it.
    public let thread: ThreadRecord
    /// When the user deleted it, in milliseconds since the epoch; nil for the current thread.
    public let deletedAt: Int64?

    /// Creates a record.
    public init(thread: ThreadRecord, deletedAt: Int64?) {
        self.thread = thread
        self.deletedAt = deletedAt
    }

    /// Where the next page of threads starts.
    public var cursor: HistoryCursor { HistoryCursor(createdAt: thread.createdAt, id: thread.id) }
}
