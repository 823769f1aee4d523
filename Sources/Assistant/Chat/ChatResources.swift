import Logging
import Tools
import Platform

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

    /// Creates the resources; `connectionsPerDatabase` caps each target database's connections
    /// from this process (a request waits for one within its deadline).
    public init(connectionsPerDatabase: Int = 8, projects: ProjectRegistry? = nil,
                hostPolicy: DatabaseHostPolicy = DatabaseHostPolicy(settings: ProjectSettings()),
                runLocks: RunLockKeeper? = nil, runEnds: RunEndRetrier? = nil) {
        pool = ConnectionPool(capacityPerDatabase: connectionsPerDatabase)
        cache = SchemaCache()
        self.projects = projects
        self.hostPolicy = hostPolicy
        self.runLocks = runLocks
        self.runEnds = runEnds
    }

    /// The resources for `configuration`: loads the project registry (a malformed file is an error).
    public convenience init(configuration: AssistantConfiguration, logger: Logger) throws(ConfigurationError) {
        let location = configuration.storeLocation
        var runLocks: RunLockKeeper?
        if case .postgres(let connectionString) = location {
            runLocks = RunLockKeeper(connectionString: connectionString, logger: logger)
        }
        let busyTimeout = configuration.sqliteBusyTimeoutMilliseconds
        let durability = configuration.sqliteDurability
        let runEnds = RunEndRetrier(logger: logger) { () throws(StoreError) -> any RunStore in
            try SQLThreadStore(location: location, busyTimeoutMilliseconds: busyTimeout, sqliteDurability: durability)
        }
        self.init(projects: try ProjectRegistry.load(settings: configuration.projects, logger: logger),
                  hostPolicy: DatabaseHostPolicy(settings: configuration.projects), runLocks: runLocks, runEnds: runEnds)
    }
}
