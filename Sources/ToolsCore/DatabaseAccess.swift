import JSON
import Postgres

/// How a tool reaches the user's database: borrow a pooled connection and run one transaction
/// with the tool timeouts set locally, then give the connection back (or drop it).
public struct DatabaseAccess: Sendable {
    /// The libpq connection string (URI or key=value, TLS options included). Never logged or shown.
    let connectionString: String
    let pool: ConnectionPool
    package let settings: ToolSettings
    /// Catalog answers cached for this database (shared with other accesses to it).
    let cache: SchemaCache

    /// Access to the database at `connectionString` through `pool`, caching catalog answers in `cache`.
    public init(connectionString: String, pool: ConnectionPool, settings: ToolSettings, cache: SchemaCache) {
        self.connectionString = connectionString
        self.pool = pool
        self.settings = settings
        self.cache = cache
    }

    /// A cached catalog answer for `key`, or the one `compute` makes.
    public func cached(_ key: String, _ compute: () throws(ToolError) -> JSONValue) throws(ToolError) -> JSONValue {
        try cache.value(database: connectionString, key: key, compute)
    }

    /// The `search_path` of the tools' own statements: built-ins only, temporary objects last.
    package static let toolSearchPath = "pg_catalog, pg_temp"

    /// How a tool transaction starts and ends.
    public enum TransactionMode: Sendable {
        /// `BEGIN READ ONLY`, always rolled back.
        case readOnly
        /// `BEGIN`, committed when the body returns.
        case readWrite
        /// `BEGIN`, always rolled back: the body may store the query it was given in a temporary view to check
        /// it (`QueryProbe`), and must make the transaction `READ ONLY` before anything of the query runs.
        case checkedRead

        var begin: String { self == .readOnly ? "BEGIN READ ONLY" : "BEGIN" }
        var end: String { self == .readWrite ? "COMMIT" : "ROLLBACK" }
    }

    /// The same database reached as the login configured for reading (`SQL_READ_ONLY_CONNECTION`, or a
    /// project's `readOnlyConnectionString`): its options (`user=… password=…`, or a whole connection string)
    /// replace the target's. Without one, this access.
    public func readingLogin() throws(ToolError) -> DatabaseAccess {
        guard let login = settings.readOnlyConnection else { return self }
        let merged: String
        do throws(PostgresError) {
            let target = try ConnectionInfo(parsing: connectionString)
            let reader = try ConnectionInfo(parsing: login)
            merged = target.overriding(with: reader).keyValueString
        } catch {
            throw ToolError(.notConfigured, "The read-only connection (SQL_READ_ONLY_CONNECTION) or the database's connection string cannot be read: \(error.message)")
        }
        return DatabaseAccess(connectionString: merged, pool: pool, settings: settings, cache: cache)
    }

    /// Borrows a connection and opens the transaction. A pooled connection that died while idle
    /// (the server restarted, a proxy cut it) fails here: it is dropped and a fresh one tried once.
    private func begin(_ mode: TransactionMode, role: String?) throws(ToolError) -> (ConnectionPool.Lease, PostgresConnection) {
        var attempts = 0
        while true {
            attempts += 1
            let lease: ConnectionPool.Lease
            do {
                lease = try pool.checkOut(connectionString, connectTimeoutSeconds: settings.connectTimeoutSeconds)
            } catch {
                throw ToolError.connection(error)
            }
            let connection = lease.connection
            do throws(PostgresError) {
                try connection.execute(mode.begin)
                // The tools' own SQL must mean what it says whatever the database holds: a user function,
                // operator or type that matches better than pg_catalog's, or sits in a schema searched first
                // (ALTER DATABASE … SET search_path = public, pg_catalog), would otherwise win name lookup. The
                // session's own path is kept for the user's SQL (`withUserSearchPath`). Every name in the two
                // statements that set this up is qualified.
                _ = try connection.query("""
                    SELECT pg_catalog.set_config('pgassist.search_path', pg_catalog.current_setting('search_path'), true)
                    """)
                // standard_conforming_strings must be on, as libpg_query (the guard) always assumes:
                // with it off, `'\'` ends a string differently for the server than for the guard.
                // run_sql's checked reads use pg_catalog alone for their own statements; the catalog tools show
                // and resolve names with the session's path, with pg_catalog put first (so a same-signature
                // operator or type elsewhere cannot win), and their SQL qualifies the functions it calls.
                let path = mode == .checkedRead ? Self.toolSearchPath : ""
                let applied = try connection.query("""
                    SELECT CASE WHEN $4::pg_catalog.text OPERATOR(pg_catalog.=) ''
                                THEN pg_catalog.set_config('search_path', 'pg_catalog, '
                                         OPERATOR(pg_catalog.||) pg_catalog.current_setting('search_path'), true)
                                ELSE pg_catalog.set_config('search_path', $4::pg_catalog.text, true) END,
                           pg_catalog.set_config('statement_timeout', $1, true), pg_catalog.set_config('lock_timeout', $2, true),
                           pg_catalog.set_config('idle_in_transaction_session_timeout', $3, true),
                           pg_catalog.set_config('TimeZone', 'UTC', true), pg_catalog.set_config('DateStyle', 'ISO, YMD', true),
                           pg_catalog.set_config('standard_conforming_strings', 'on', true)
                    """, ["\(settings.statementTimeoutMilliseconds)", "\(settings.lockTimeoutMilliseconds)",
                          "\(settings.idleInTransactionTimeoutMilliseconds)", path])
                guard applied.count == 1, applied.string(0, 6) == "on" else {
                    throw PostgresError(code: .protocolError, message: "the database did not accept standard_conforming_strings = on")
                }
                if let role {
                    try connection.execute("SET LOCAL ROLE \(SQLIdentifier.quote(role))")
                }
                return (lease, connection)
            } catch {
                pool.checkIn(lease, reusable: false)
                if lease.isReused && attempts == 1 && (error.isConnectionError || !connection.isConnected) { continue }
                throw ToolError.from(error)
            }
        }
    }

    /// Forgets the cached catalog answers for this database (after a schema change).
    public func invalidateCache() {
        cache.invalidate(database: connectionString)
    }

    /// Runs `body` inside one transaction: `BEGIN READ ONLY` (then always ROLLBACK) when `readOnly`,
    /// else `BEGIN` (committed when `body` returns). See `transaction(_:role:_:)`.
    public func transaction<T>(readOnly: Bool, role: String? = nil,
                               _ body: (PostgresConnection) throws(ToolError) -> T) throws(ToolError) -> T {
        try transaction(readOnly ? .readOnly : .readWrite, role: role, body)
    }

    /// Runs `body` inside one transaction started and ended as `mode` says. `statement_timeout`,
    /// `lock_timeout` and `idle_in_transaction_session_timeout` are set for this transaction only, with UTC
    /// ISO dates; `role` (from configuration, never from the model) is assumed with `SET LOCAL ROLE`.
    ///
    /// The connection goes back to the pool clean: after the transaction `DISCARD ALL` drops what a session
    /// keeps past ROLLBACK (advisory locks, prepared statements, cursors WITH HOLD, temporary objects,
    /// LISTEN, session settings); a connection where that fails is closed instead.
    public func transaction<T>(_ mode: TransactionMode, role: String? = nil,
                               _ body: (PostgresConnection) throws(ToolError) -> T) throws(ToolError) -> T {
        let (lease, connection) = try begin(mode, role: role)
        var reusable = true
        defer {
            if reusable && (try? connection.execute("DISCARD ALL")) == nil { reusable = false }
            pool.checkIn(lease, reusable: reusable)
        }
        let value: T
        do {
            value = try body(connection)
        } catch {
            if (try? connection.execute("ROLLBACK")) == nil { reusable = false }
            throw error
        }
        do {
            try connection.execute(mode.end)
        } catch {
            reusable = false
            throw ToolError.from(error)
        }
        return value
    }
}
