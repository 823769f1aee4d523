import Store
/// Why a chat run was refused by the per-user rate limits, and when the user may try again.
public struct RateLimitRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which limit was reached; extensible.
    public struct Limit: RawRepresentable, Hashable, Sendable {
        /// The limit's name, e.g. `runs`.
        public let rawValue: String
        /// Creates a limit from its name.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// Chat runs per window (`RATE_LIMIT_RUNS`).
        public static let runs = Limit(rawValue: "runs")
        /// Model tokens per window (`RATE_LIMIT_TOKENS`).
        public static let tokens = Limit(rawValue: "tokens")
    }

    /// Which limit was reached.
    public let limit: Limit
    /// The limit's value (runs or tokens per window).
    public let maximum: Int64
    /// The window's length, in seconds.
    public let windowSeconds: Int64
    /// Seconds until the current window ends and the user may start runs again (at least 1).
    public let retryAfterSeconds: Int64

    /// Creates a refusal.
    public init(limit: Limit, maximum: Int64, windowSeconds: Int64, retryAfterSeconds: Int64) {
        self.limit = limit
        self.maximum = maximum
        self.windowSeconds = windowSeconds
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// `rate limited (runs: 10 per 3600 s), retry after 42 s`, for logs.
    public var description: String {
        "rate limited (\(limit.rawValue): \(maximum) per \(windowSeconds) s), retry after \(retryAfterSeconds) s"
    }
}
