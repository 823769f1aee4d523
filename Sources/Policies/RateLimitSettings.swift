import Platform
import Store

/// Per-user limits on chat runs and model tokens within fixed time windows, set by the deployment.
public struct RateLimitSettings: Sendable, Equatable {
    /// The most chat runs one user may start in a window (`RATE_LIMIT_RUNS`; 0, the default, = no limit).
    public var runsPerWindow: Int64
    /// The most model tokens (input plus output) one user may use in a window; once reached, new runs
    /// are refused until the window ends (`RATE_LIMIT_TOKENS`; 0, the default, = no limit).
    public var tokensPerWindow: Int64
    /// The window's length in seconds (`RATE_LIMIT_WINDOW_S`, default 3600). Windows are aligned to
    /// multiples of it since the Unix epoch, so every worker and host agrees where one ends.
    public var windowSeconds: Int64

    /// Creates settings; with no arguments, no limits.
    public init(runsPerWindow: Int64 = 0, tokensPerWindow: Int64 = 0, windowSeconds: Int64 = 3_600) {
        self.runsPerWindow = runsPerWindow
        self.tokensPerWindow = tokensPerWindow
        self.windowSeconds = windowSeconds
    }

    /// Reads the settings from `environment`; a malformed value is an error naming the variable.
    public init(environment variables: [String: String]) throws(ConfigurationError) {
        let environment = EnvironmentReader(variables, trimsSpaces: true)
        func number(_ name: String, _ range: ClosedRange<Int>, default fallback: Int) throws(ConfigurationError) -> Int64 {
            Int64(try environment.integer(name, default: fallback, in: range))
        }
        self.init(runsPerWindow: try number("RATE_LIMIT_RUNS", 0...1_000_000_000, default: 0),
                  tokensPerWindow: try number("RATE_LIMIT_TOKENS", 0...1_000_000_000_000, default: 0),
                  windowSeconds: try number("RATE_LIMIT_WINDOW_S", 1...31_622_400, default: 3_600))
    }

    /// Whether any limit is set; when none is, the limiter never touches the store.
    public var isEnabled: Bool { runsPerWindow > 0 || tokensPerWindow > 0 }

    /// The window's length in milliseconds.
    public var windowMilliseconds: Int64 { windowSeconds * 1_000 }

    /// The start of the window holding `milliseconds` (since the epoch), in milliseconds.
    public func windowStart(at milliseconds: Int64) -> Int64 {
        milliseconds - ((milliseconds % windowMilliseconds) + windowMilliseconds) % windowMilliseconds
    }
}
