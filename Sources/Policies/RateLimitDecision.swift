import Store
/// The answer of `RateLimiter.checkAndCountRun`: the run may start (and was counted), or it is refused.
public enum RateLimitDecision: Sendable, Equatable {
    /// The run may start; it was counted in the window (nil when no limit is set and nothing was counted).
    case allowed(UsageWindow?)
    /// The run must not start; nothing was counted.
    case refused(RateLimitRefusal)

    /// Whether the run may start.
    public var isAllowed: Bool {
        if case .allowed = self { return true }
        return false
    }
}
