/// Which database holds the threads.
public enum StoreKind: String, Sendable {
    /// A SQLite file shared by the workers of one host (the default).
    case sqlite
    /// A PostgreSQL database shared by several hosts.
    case postgres
}
