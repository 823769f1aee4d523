import Model
import Operations
import Platform
import Policies
import Store
import ToolsCore

/// Settings of the assistant API, read once per worker from the environment.
public struct AssistantConfiguration: Sendable {
    /// Where the threads live (`THREAD_STORE_URL`; default `sqlite://var/pgassist.db`).
    public var storeLocation: StoreLocation
    /// How long a SQLite statement waits for other writers, in milliseconds (`SQLITE_BUSY_TIMEOUT_MS`, default 30000: a chat turn's writes may
    /// queue behind hundreds of others, and waiting is better than failing well within the chat deadline).
    public var sqliteBusyTimeoutMilliseconds: Int32
    /// When a SQLite store's commits reach the disk (`SQLITE_SYNCHRONOUS`: `full`, the default, or `normal`).
    public var sqliteDurability: SQLiteDurability = .full
    /// The model a new assistant definition uses (`OPENAI_MODEL`, default `gpt-5.4`).
    public var defaultModel: String
    /// The longest chat message accepted, in characters (`MAX_MESSAGE_CHARS`, default 32000).
    public var maxMessageCharacters: Int
    /// The most messages one `GET /thread?messages=1` returns (default page 50, at most this; `MAX_MESSAGE_PAGE`, default 200).
    public var maxMessagePage: Int
    /// How to reach the model provider (`OPENAI_*`).
    public var model: ModelConfiguration = ModelConfiguration(model: "")
    /// Limits and policies of tool calls (`SQL_*`, `TOOL_*`, …).
    public var tools: ToolSettings = ToolSettings()
    /// Limits of the chat run loop (`CHAT_*`, `APPROVAL_TOOLS`, `SSE_PING_MS`).
    public var chat: ChatSettings = ChatSettings()
    /// Users allowed to call `POST /setup` when requests carry an authenticated user (`ADMIN_USERS`, comma-separated).
    public var adminUsers: Set<String> = []
    /// Where users' databases come from: the project registry and the request connection-string policy.
    public var projects: ProjectSettings = ProjectSettings()
    /// Per-user limits on chat runs and model tokens (`RATE_LIMIT_*`).
    public var rateLimits: RateLimitSettings = RateLimitSettings()
    /// Whether every request must carry an authenticated user (`REQUIRE_AUTH_USER`).
    public var authentication: AuthenticationSettings = AuthenticationSettings()

    /// Creates a configuration.
    public init(storeLocation: StoreLocation = .defaultLocation, sqliteBusyTimeoutMilliseconds: Int32 = 30_000,
                defaultModel: String = "gpt-5.4", maxMessageCharacters: Int = 32_000, maxMessagePage: Int = 200) {
        self.storeLocation = storeLocation
        self.sqliteBusyTimeoutMilliseconds = sqliteBusyTimeoutMilliseconds
        self.defaultModel = defaultModel
        self.maxMessageCharacters = maxMessageCharacters
        self.maxMessagePage = maxMessagePage
    }

    /// Reads the configuration from `environment`; a malformed value is an error naming the variable.
    public init(environment variables: [String: String]) throws(ConfigurationError) {
        self.init()
        let environment = EnvironmentReader(variables)
        if let url = environment.string("THREAD_STORE_URL") {
            do {
                storeLocation = try StoreLocation(url: url)
            } catch {
                throw ConfigurationError(variable: "THREAD_STORE_URL", message: error.detail)
            }
        }
        sqliteBusyTimeoutMilliseconds = Int32(try environment.integer("SQLITE_BUSY_TIMEOUT_MS", default: 30_000, in: 0...600_000))
        if let value = environment.string("SQLITE_SYNCHRONOUS") {
            guard let durability = SQLiteDurability(rawValue: value.lowercased()) else {
                throw ConfigurationError(variable: "SQLITE_SYNCHRONOUS", message: "must be full or normal, not '\(value)'")
            }
            sqliteDurability = durability
        }
        if let model = environment.string("OPENAI_MODEL") { defaultModel = model }
        maxMessageCharacters = try environment.integer("MAX_MESSAGE_CHARS", default: 32_000, in: 1...10_000_000)
        maxMessagePage = try environment.integer("MAX_MESSAGE_PAGE", default: 200, in: 1...10_000)
        model = try ModelConfiguration(environment: variables)
        tools = try ToolSettings(environment: variables)
        chat = try ChatSettings(environment: variables)
        projects = try ProjectSettings(environment: variables)
        rateLimits = try RateLimitSettings(environment: variables)
        authentication = try AuthenticationSettings(environment: variables)
        if let users = environment.list("ADMIN_USERS") {
            adminUsers = Set(users.map(\.nfc).filter { !$0.isEmpty })
        }
    }
}
