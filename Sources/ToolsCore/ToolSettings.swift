import Platform
import Postgres

/// Limits and policies that apply to every tool call; set by the deployment, never by the model.
public struct ToolSettings: Sendable {
    /// Largest tool result, in bytes of JSON (default 32 KiB).
    public var outputBudgetBytes: Int = 32 * 1024
    /// Rows `run_sql` returns when the model does not say (default 100).
    public var defaultMaxRows: Int = 100
    /// The most rows `run_sql` ever returns (default 1000).
    public var hardMaxRows: Int = 1_000
    /// `statement_timeout` for each tool transaction, in milliseconds (default 15000).
    public var statementTimeoutMilliseconds: Int = 15_000
    /// `lock_timeout`, in milliseconds (default 3000).
    public var lockTimeoutMilliseconds: Int = 3_000
    /// `idle_in_transaction_session_timeout`, in milliseconds (default 30000).
    public var idleInTransactionTimeoutMilliseconds: Int = 30_000
    /// How long to wait for a connection to the user's database, in seconds (default 5).
    public var connectTimeoutSeconds: Int = 5
    /// A low-privilege role `run_sql` switches to with `SET LOCAL ROLE`, when configured. Weaker than
    /// `readOnlyConnection`: SQL that runs SQL can undo `SET ROLE` (`RESET ROLE`, `set_config('role', …)`).
    public var readOnlyRole: String?
    /// The login `run_sql` connects as, when configured (`SQL_READ_ONLY_CONNECTION`): libpq options, usually
    /// `user=… password=…`, that replace the target database's own (a whole connection string replaces all of
    /// them). A separate login has no more privileged user to go back to, so PostgreSQL itself refuses what
    /// the login may not do, whatever the guard misses. Never logged or shown.
    public var readOnlyConnection: String?
    /// Whether `run_sql` may call the user's own functions (default false: only built-ins on the allow-list).
    public var allowUserFunctions: Bool = false
    /// Schemas hidden from listings and protected from changes besides the system ones
    /// (Supabase's platform-managed schemas by default).
    public var platformSchemas: [String] = ["auth", "storage", "realtime", "vault", "extensions", "graphql",
                                            "graphql_public", "supabase_functions", "supabase_migrations",
                                            "pgsodium", "pgsodium_masks", "net", "cron", "pgbouncer", "_realtime",
                                            "_analytics", "pgassist_trash"]
    /// How long an approval stays valid, in seconds (default 600).
    public var approvalLifetimeSeconds: Int = 600
    /// The columns whose values never reach the model (`SENSITIVE_COLUMNS`, `SENSITIVE_COLUMN_NAMES`, a
    /// project's `sensitiveColumns`).
    public var sensitiveColumns = SensitiveColumns()

    /// Creates the default settings.
    public init() {}

    /// Reads settings from the environment (`TOOL_OUTPUT_BUDGET_BYTES`, `SQL_DEFAULT_MAX_ROWS`,
    /// `SQL_MAX_ROWS`, `SQL_STATEMENT_TIMEOUT_MS`, `SQL_LOCK_TIMEOUT_MS`, `SQL_IDLE_TIMEOUT_MS`,
    /// `DB_CONNECT_TIMEOUT_S`, `SQL_READ_ONLY_ROLE`, `SQL_READ_ONLY_CONNECTION`, `SQL_ALLOW_USER_FUNCTIONS`, `PLATFORM_SCHEMAS`,
    /// `APPROVAL_TTL_S`, `SENSITIVE_COLUMNS`, `SENSITIVE_COLUMN_NAMES`); malformed numbers keep their defaults' bounds.
    public init(environment: [String: String]) throws(ConfigurationError) {
        let environment = EnvironmentReader(environment)
        func number(_ name: String, _ value: inout Int, _ range: ClosedRange<Int>) throws(ConfigurationError) {
            value = try environment.integer(name, default: value, in: range)
        }
        try number("TOOL_OUTPUT_BUDGET_BYTES", &outputBudgetBytes, 1_024...16_777_216)
        try number("SQL_MAX_ROWS", &hardMaxRows, 1...100_000)
        try number("SQL_DEFAULT_MAX_ROWS", &defaultMaxRows, 1...hardMaxRows)
        try number("SQL_STATEMENT_TIMEOUT_MS", &statementTimeoutMilliseconds, 1...3_600_000)
        try number("SQL_LOCK_TIMEOUT_MS", &lockTimeoutMilliseconds, 1...3_600_000)
        try number("SQL_IDLE_TIMEOUT_MS", &idleInTransactionTimeoutMilliseconds, 1...3_600_000)
        try number("DB_CONNECT_TIMEOUT_S", &connectTimeoutSeconds, 1...300)
        try number("APPROVAL_TTL_S", &approvalLifetimeSeconds, 1...604_800)
        if let role = environment.string("SQL_READ_ONLY_ROLE") { readOnlyRole = role }
        if let login = environment.string("SQL_READ_ONLY_CONNECTION") {
            guard ConnectionInfo.isConnectionString(login), (try? ConnectionInfo(parsing: login)) != nil else {
                throw ConfigurationError(variable: "SQL_READ_ONLY_CONNECTION",
                                         message: "must be libpq options such as 'user=reader password=…' or a connection string")
            }
            readOnlyConnection = login
        }
        // Not a strict switch: anything but 1 or true leaves user functions off.
        if let flag = environment.string("SQL_ALLOW_USER_FUNCTIONS") { allowUserFunctions = flag == "1" || flag == "true" }
        if let schemas = environment.list("PLATFORM_SCHEMAS") { platformSchemas = schemas }
        sensitiveColumns = try SensitiveColumns(environment: environment)
    }
}

extension String {
    package func trimmingCharacters(in characters: String) -> String {
        var view = Substring(self)
        while let first = view.first, characters.contains(first) { view.removeFirst() }
        while let last = view.last, characters.contains(last) { view.removeLast() }
        return String(view)
    }
}
