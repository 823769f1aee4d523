import Logging
import Operations
import Policies
import ToolsCore

/// What the request threads of one worker process share for chat: connections to users' databases
/// (capped per database), cached catalog answers, the project registry, the host policy, and the
/// bookkeeping of the runs the process drives (their locks, endings still to be written).
public final class ChatResources: Sendable {
    /// Pooled connections to the users' databases.
    public let pool: ConnectionPool
    /// Catalog answers (table lists for the instructions, list_tables, get_schema).
    public let cache: SchemaCache
    /// Projects configured on the server (`PROJECTS_FILE`), nil when none.
    public let projects: ProjectRegistry?
    /// Which connection strings from requests may be used.
    public let hostPolicy: DatabaseHostPolicy
    /// The locks of the runs this process drives (a PostgreSQL store only; nil on SQLite).
    public let runLocks: RunLockKeeper?
    /// Run endings the store could not take when they happened, retried in the background.
    public let runEnds: RunEndRetrier?
    /// The process's counters (requests, model calls, tool calls), reported by `GET /metrics`.
    public let metrics: AssistantMetrics

    /// Creates the resources; `connectionsPerDatabase` caps each target database's connections
    /// from this process (a request waits for one within its deadline).
    public init(connectionsPerDatabase: Int = 8, projects: ProjectRegistry? = nil,
                hostPolicy: DatabaseHostPolicy = DatabaseHostPolicy(settings: ProjectSettings()),
                runLocks: RunLockKeeper? = nil, runEnds: RunEndRetrier? = nil,
                metrics: AssistantMetrics = .processPrivate()) {
        pool = ConnectionPool(capacityPerDatabase: connectionsPerDatabase)
        cache = SchemaCache()
        self.projects = projects
        self.hostPolicy = hostPolicy
        self.runLocks = runLocks
        self.runEnds = runEnds
        self.metrics = metrics
    }
}
