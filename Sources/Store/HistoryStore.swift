/// A user's whole history read page by page, for exports: every thread (current and deleted, until
/// `pgassist purge` removes it), its messages and its runs. Each call reads one bounded page, so an
/// export of any size holds at most one page in memory.
public protocol HistoryStore: AnyObject {
    /// Up to `limit` of the user's threads, oldest first, after `cursor` (from the last thread of the previous page).
    func historyThreads(userId: String, after cursor: HistoryCursor?, limit: Int) throws(StoreError) -> [HistoryThread]
    /// Up to `limit` messages of the thread with positions above `afterSeq` (0 for the first page), oldest first.
    func historyMessages(threadId: String, afterSeq: Int64, limit: Int) throws(StoreError) -> [MessageRecord]
    /// Up to `limit` runs of the thread, oldest first, after `cursor` (from the last run of the previous page).
    func historyRuns(threadId: String, after cursor: HistoryCursor?, limit: Int) throws(StoreError) -> [HistoryRun]
}

/// Where a page of threads or runs continues: the creation time and id of the last row read
/// (ids break ties between rows created in the same millisecond).
public struct HistoryCursor: Sendable, Equatable {
    /// The last row's creation time, in milliseconds since the epoch.
    public let createdAt: Int64
    /// The last row's id.
    public let id: String

    /// Creates a cursor.
    public init(createdAt: Int64, id: String) {
        self.createdAt = createdAt
        self.id = id
    }
}
