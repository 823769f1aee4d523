import Platform
import Store

/// Enforces the per-user limits on chat runs and model tokens, counted in the shared store.
///
/// Call `checkAndCountRun` once when a user's new chat message would start a run (not for approvals,
/// rejections or cancels, which continue or end an existing run), and `addTokens` after every model
/// answer with the tokens it used. Windows are fixed, aligned to multiples of the window length since
/// the epoch. A run is admitted while the window has fewer runs than `runsPerWindow` and fewer tokens
/// than `tokensPerWindow`; a run already admitted may take the tokens past the limit (it is not
/// stopped midway), which then refuses the user's next runs until the window ends.
///
/// One instance per worker thread, like the store it counts in.
public struct RateLimiter {
    /// The limits.
    public let settings: RateLimitSettings
    private let store: any UsageStore

    /// Creates a limiter counting in `store`.
    public init(settings: RateLimitSettings, store: any UsageStore) {
        self.settings = settings
        self.store = store
    }

    /// Admits and counts one run for `userId`, or refuses it without counting it.
    ///
    /// Admission and counting are one atomic statement in the store, so at most `runsPerWindow`
    /// runs are admitted per window however many workers and hosts race. With no limit set it
    /// answers `.allowed(nil)` without touching the store.
    /// - Parameter nowMilliseconds: the current time, in milliseconds since the epoch (tests pass their own).
    public func checkAndCountRun(userId: String, nowMilliseconds: Int64 = WallClock.nowMilliseconds())
        throws(StoreError) -> RateLimitDecision {
        guard settings.isEnabled else { return .allowed(nil) }
        let windowStart = settings.windowStart(at: nowMilliseconds)
        let maxRuns = settings.runsPerWindow > 0 ? settings.runsPerWindow : Int64.max
        let maxTokens = settings.tokensPerWindow > 0 ? settings.tokensPerWindow : Int64.max
        if let counted = try store.countRun(userId: userId, windowStart: windowStart, maxRuns: maxRuns, maxTokens: maxTokens) {
            return .allowed(counted)
        }
        let current = try store.usageWindow(userId: userId, windowStart: windowStart)
        let byRuns = (current?.runs ?? 0) >= maxRuns
        let windowEnd = windowStart + settings.windowMilliseconds
        let retryAfter = max((windowEnd - nowMilliseconds + 999) / 1_000, 1)
        return .refused(RateLimitRefusal(limit: byRuns ? .runs : .tokens,
                                         maximum: byRuns ? settings.runsPerWindow : settings.tokensPerWindow,
                                         windowSeconds: settings.windowSeconds, retryAfterSeconds: retryAfter))
    }

    /// Adds `count` model tokens to `userId`'s current window and returns the window as counted
    /// (nil, without touching the store, when no token limit is set or `count` is not positive).
    @discardableResult
    public func addTokens(userId: String, count: Int, nowMilliseconds: Int64 = WallClock.nowMilliseconds())
        throws(StoreError) -> UsageWindow? {
        guard settings.tokensPerWindow > 0, count > 0 else { return nil }
        return try store.addTokens(userId: userId, windowStart: settings.windowStart(at: nowMilliseconds), count: Int64(count))
    }

    /// What `userId` used in the current window so far (zeros when nothing was counted).
    public func usage(userId: String, nowMilliseconds: Int64 = WallClock.nowMilliseconds()) throws(StoreError) -> UsageWindow {
        let windowStart = settings.windowStart(at: nowMilliseconds)
        return try store.usageWindow(userId: userId, windowStart: windowStart)
            ?? UsageWindow(userId: userId, windowStart: windowStart, runs: 0, tokens: 0)
    }
}
