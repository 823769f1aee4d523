import Logging
import Tools

/// What the request threads of one worker process share for chat: connections to users' databases
/// (capped per database), cached catalog answers, the project registry and the host policy.
public final class ChatResources: Sendable {
    /// Pooled connections to the users' databases.
    public let pool: ConnectionPool
    /// Catalog answers (table lists for the instructions, list_tables, get_schema).
    public let cache: SchemaCache
    /// Projects configured on the server (`PROJECTS_FILE`), nil when none.
    public let projects: ProjectRegistry?
    /// Which connection strings from requests may be used.
    public let hostPolicy: DatabaseHostPolicy

    /// Creates the resources; `connectionsPerDatabase` caps each target database's connections
    /// from this process (a request waits for one within its deadline).
    public init(connectionsPerDatabase: Int = 8, projects: ProjectRegistry? = nil,
                hostPolicy: DatabaseHostPolicy = DatabaseHostPolicy(settings: ProjectSettings())) {
        pool = ConnectionPool(capacityPerDatabase: connectionsPerDatabase)
        cache = SchemaCache()
        self.projects = projects
        self.hostPolicy = hostPolicy
    }

    /// The resources for `configuration`: loads the project registry (a malformed file is an error).
    public convenience init(configuration: AssistantConfiguration, logger: Logger) throws(ConfigurationError) {
        self.init(projects: try ProjectRegistry.load(settings: configuration.projects, logger: logger),
                  hostPolicy: DatabaseHostPolicy(settings: configuration.projects))
    }
}
