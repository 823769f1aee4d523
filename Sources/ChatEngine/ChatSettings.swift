import Operations
import Platform
import Policies
import Store

/// Limits of the chat run loop, set by the deployment.
public struct ChatSettings: Sendable {
    /// One deadline for a whole chat request, in milliseconds (`CHAT_DEADLINE_MS`, default 240000);
    /// keep it below nginx's `fastcgi_read_timeout` (300 s in the shipped config).
    public var deadlineMilliseconds: Int = 240_000
    /// The most model calls one run makes (`CHAT_MAX_ROUNDS`, default 8).
    public var maxRounds: Int = 8
    /// The most tool calls carried out for one model answer (`CHAT_MAX_TOOL_CALLS`, default 16); the model's
    /// further calls in that answer are answered `too_many_tool_calls`, not run.
    public var maxToolCallsPerTurn: Int = 16
    /// The most tool calls carried out in one run, over all its model answers (`CHAT_MAX_TOOL_CALLS_PER_RUN`,
    /// default 64); calls past it are answered `too_many_tool_calls`, not run.
    public var maxToolCallsPerRun: Int = 64
    /// The history sent to the model is trimmed, oldest first, to about this many tokens
    /// (`CHAT_HISTORY_TOKENS`, default 60000; estimated as 4 bytes of text per token).
    public var historyTokenBudget: Int = 60_000
    /// The most stored messages read to build the history (`CHAT_HISTORY_MESSAGES`, default 400).
    public var historyMessageLimit: Int = 400
    /// Tools the deployment puts under the user's approval (`APPROVAL_TOOLS`, comma-separated; drop_table always
    /// asks, restore_table for another user's copy): every caller of the tools applies it (`ApprovalPolicy`).
    public var approvalTools: Set<String> = []
    /// A comment ping is sent on an idle event stream this often, in milliseconds (`SSE_PING_MS`, default 15000).
    public var pingIntervalMilliseconds: Int = 15_000
    /// A model call or tool call slower than this logs a slow-step warning with the run id, in milliseconds
    /// (`PGASSIST_SLOW_REQUEST_MS`, default 10000; 0 = off).
    public var slowStepMilliseconds: Int = 10_000
    /// How much of the user's data the model provider receives (`DATA_SHARING`: `schema` or `data`, the default);
    /// a project's `dataSharing` in `PROJECTS_FILE` overrides it.
    public var dataSharing: DataSharing = .data
    /// The most tokens one model answer may use (`CHAT_MAX_OUTPUT_TOKENS`; default: the provider's).
    public var maxOutputTokens: Int?

    /// Creates the default settings.
    public init() {}

    /// Reads the settings from `environment`; a malformed value is an error naming the variable.
    public init(environment variables: [String: String]) throws(ConfigurationError) {
        let environment = EnvironmentReader(variables)
        func number(_ name: String, _ range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
            try environment.integer(name, in: range)
        }
        deadlineMilliseconds = try number("CHAT_DEADLINE_MS", 1_000...3_600_000) ?? deadlineMilliseconds
        maxRounds = try number("CHAT_MAX_ROUNDS", 1...100) ?? maxRounds
        maxToolCallsPerTurn = try number("CHAT_MAX_TOOL_CALLS", 1...1_000) ?? maxToolCallsPerTurn
        maxToolCallsPerRun = try number("CHAT_MAX_TOOL_CALLS_PER_RUN", 1...100_000) ?? maxToolCallsPerRun
        historyTokenBudget = try number("CHAT_HISTORY_TOKENS", 500...10_000_000) ?? historyTokenBudget
        historyMessageLimit = try number("CHAT_HISTORY_MESSAGES", 2...100_000) ?? historyMessageLimit
        pingIntervalMilliseconds = try number("SSE_PING_MS", 100...600_000) ?? pingIntervalMilliseconds
        maxOutputTokens = try number("CHAT_MAX_OUTPUT_TOKENS", 16...1_000_000)
        slowStepMilliseconds = try number("PGASSIST_SLOW_REQUEST_MS", 0...3_600_000) ?? slowStepMilliseconds
        if let tools = environment.list("APPROVAL_TOOLS") { approvalTools = Set(tools) }
        if let level = environment.string("DATA_SHARING") {
            guard let sharing = DataSharing(name: level) else {
                throw ConfigurationError(variable: "DATA_SHARING", message: "must be schema or data, not '\(level)'")
            }
            dataSharing = sharing
        }
    }
}
