/// What one user used in one rate-limit window, as counted in the store's `usage_windows` table.
public struct UsageWindow: Sendable, Equatable {
    /// The user.
    public var userId: String
    /// The window's start, in milliseconds since the Unix epoch (a multiple of the window length).
    public var windowStart: Int64
    /// Chat runs admitted in the window (refused attempts are not counted).
    public var runs: Int64
    /// Model tokens (input plus output) reported in the window.
    public var tokens: Int64

    /// Creates a window's usage.
    public init(userId: String, windowStart: Int64, runs: Int64, tokens: Int64) {
        self.userId = userId
        self.windowStart = windowStart
        self.runs = runs
        self.tokens = tokens
    }
}
