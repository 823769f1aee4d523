/// Where per-user usage windows are counted: the thread store, so the limits hold across workers and hosts.
///
/// Every change is one atomic statement (`INSERT … ON CONFLICT (user_id, window_start) DO UPDATE`),
/// which SQLite (≥ 3.35, for `RETURNING`) and PostgreSQL both run without lost updates.
public protocol UsageStore: AnyObject {
    /// Counts one run in the window when the window has fewer than `maxRuns` runs and fewer than
    /// `maxTokens` tokens; returns the window as counted, or nil when refused (and then not counted).
    func countRun(userId: String, windowStart: Int64, maxRuns: Int64, maxTokens: Int64) throws(StoreError) -> UsageWindow?
    /// Adds `count` tokens to the window and returns it as counted.
    func addTokens(userId: String, windowStart: Int64, count: Int64) throws(StoreError) -> UsageWindow
    /// The window's usage, or nil when nothing was counted in it.
    func usageWindow(userId: String, windowStart: Int64) throws(StoreError) -> UsageWindow?
}
