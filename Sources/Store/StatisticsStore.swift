/// What the store tells about its use, for `GET /metrics` and `pgassist stats`.
public protocol StatisticsStore: AnyObject {
    /// How many runs are in each active status (`queued`, `in_progress`, `requires_action`), across
    /// every worker and host using the store.
    func activeRunCounts() throws(StoreError) -> [RunStatus: Int]
    /// Tool calls (from the audit trail) and runs (with their tokens) created in `period`, summarised
    /// by `grouping`.
    func usageStatistics(in period: Range<Int64>, by grouping: StatisticsGrouping) throws(StoreError) -> UsageStatistics
}
