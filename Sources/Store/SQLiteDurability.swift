/// When a SQLite store syncs its write-ahead log to disk (`SQLITE_SYNCHRONOUS`, SQLite's `synchronous`).
public enum SQLiteDurability: String, Sendable, CaseIterable {
    /// At every commit (`synchronous=FULL`, the default): an acknowledged message survives a power loss.
    /// Costs one `fdatasync` per commit.
    case full
    /// At checkpoints only (`synchronous=NORMAL` in WAL mode): a crash of a worker or of every worker loses
    /// nothing (the log is in the kernel's cache), but a power loss or kernel crash may lose the last
    /// commits; the database itself stays consistent.
    case normal

    /// The `PRAGMA synchronous` value.
    var pragmaValue: String { rawValue.uppercased() }
}
