import Tools

/// What the request threads of one worker process share for chat: connections to users' databases
/// (capped per database) and cached catalog answers.
public final class ChatResources: Sendable {
    /// Pooled connections to the users' databases.
    public let pool: ConnectionPool
    /// Catalog answers (table lists for the instructions, list_tables, get_schema).
    public let cache: SchemaCache

    /// Creates the resources; `connectionsPerDatabase` caps each target database's connections
    /// from this process (a request waits for one within its deadline).
    public init(connectionsPerDatabase: Int = 8) {
        pool = ConnectionPool(capacityPerDatabase: connectionsPerDatabase)
        cache = SchemaCache()
    }
}
