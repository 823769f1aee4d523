/// One line of `pgassist stats`: a user, project, day or tool (or the total) with its tool calls,
/// their failures and latency, and its runs with their tokens.
public struct StatisticsRow: Sendable, Equatable {
    /// The user, project, day (`2026-11-25`) or tool; `-` when the events carry none.
    public var key: String
    /// Tool calls recorded in the audit trail.
    public var toolCalls: Int = 0
    /// Those that failed (a tool error, a refusal, a pending approval).
    public var failedToolCalls: Int = 0
    /// Latency percentiles of the tool calls, in milliseconds (nearest rank); nil without calls.
    public var latency: Percentiles?
    /// Runs created (chat turns); nil when runs do not split this way (by tool).
    public var runs: Int?
    /// Those that ended `failed`.
    public var failedRuns: Int?
    /// Model input tokens of those runs.
    public var inputTokens: Int64?
    /// Model output tokens of those runs.
    public var outputTokens: Int64?

    /// Failed tool calls per tool call, from 0 to 1; nil without calls.
    public var failureRate: Double? {
        toolCalls == 0 ? nil : Double(failedToolCalls) / Double(toolCalls)
    }
}
