import JSON
import Synchronization

/// Catalog answers (list_tables, get_schema) cached per database for a short time, shared by the
/// threads of a worker; create_table and drop_table invalidate a database's entries.
public final class SchemaCache: Sendable {
    private struct Entry {
        let value: JSONValue
        let expiresAt: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: [String: Entry]]>([:])
    private let lifetime: Duration

    /// A cache whose entries live `lifetimeMilliseconds` (default 30 s).
    public init(lifetimeMilliseconds: Int = 30_000) { lifetime = .milliseconds(lifetimeMilliseconds) }

    /// The cached value for `key` in `database`, or the one `compute` makes (then cached).
    /// Failures are not cached.
    public func value(database: String, key: String, _ compute: () throws(ToolError) -> JSONValue) throws(ToolError) -> JSONValue {
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[database]?[key] }), entry.expiresAt > now { return entry.value }
        let value = try compute()
        entries.withLock { $0[database, default: [:]][key] = Entry(value: value, expiresAt: now + lifetime) }
        return value
    }

    /// Forgets everything cached for `database`.
    public func invalidate(database: String) {
        _ = entries.withLock { $0.removeValue(forKey: database) }
    }
}
