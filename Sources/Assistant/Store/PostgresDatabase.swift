import Postgres

/// The thread store's PostgreSQL database, for deployments where several hosts share threads.
///
/// One connection per worker thread, opened lazily and opened again after it breaks, so a
/// restarted store server costs the requests in flight, not the worker.
public final class PostgresDatabase: SQLDatabase {
    private let connectionString: String
    private let connectTimeoutSeconds: Int
    private var connection: PostgresConnection?

    /// Which database this is.
    public var kind: StoreKind { .postgres }

    /// Prepares a database at `connectionString` (a libpq URI or key=value string); connects on first use.
    public init(connectionString: String, connectTimeoutSeconds: Int = 5) {
        self.connectionString = connectionString
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    public func rows(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> [SQLRow] {
        let result = try perform { connection throws(PostgresError) in
            try connection.query(sql, parameters.map(\.text))
        }
        return result.rows.map { row in row.map { $0.map(SQLValue.text) ?? .null } }
    }

    @discardableResult
    public func run(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> Int {
        try perform { connection throws(PostgresError) in
            try connection.query(sql, parameters.map(\.text)).affectedRows
        }
    }

    public func script(_ sql: String) throws(StoreError) {
        try perform { connection throws(PostgresError) in try connection.execute(sql) }
    }

    public func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        let live = try liveConnection()
        do {
            return try live.transaction { () throws -> T in try body() }
        } catch let error as StoreError {
            throw error
        } catch let error as PostgresError {
            throw classify(error, on: live)
        } catch {
            throw StoreError(.failed, String(describing: error))
        }
    }

    public func lockForMigration() throws(StoreError) {
        // A transaction-scoped advisory lock: released at COMMIT/ROLLBACK, and by the server
        // when a worker dies holding it. The key is arbitrary but fixed for this application.
        _ = try rows("SELECT pg_advisory_xact_lock(7461636801)", [])
    }

    private func perform<T>(_ body: (PostgresConnection) throws(PostgresError) -> T) throws(StoreError) -> T {
        let live = try liveConnection()
        do {
            return try body(live)
        } catch {
            throw classify(error, on: live)
        }
    }

    /// The open connection, or a new one when there is none or it broke.
    private func liveConnection() throws(StoreError) -> PostgresConnection {
        if let connection, connection.isConnected { return connection }
        connection = nil
        do {
            let live = try PostgresConnection(connectionString: connectionString, connectTimeoutSeconds: connectTimeoutSeconds,
                                              applicationName: "pgassist-store")
            connection = live
            return live
        } catch {
            throw StoreError(.unavailable, "cannot connect to the PostgreSQL store: \(error.debugDescription)")
        }
    }

    /// A lost connection is dropped (the next call reconnects) and reported as unavailable.
    private func classify(_ error: PostgresError, on live: PostgresConnection) -> StoreError {
        if error.isConnectionError || !live.isConnected {
            connection = nil
            return StoreError(.unavailable, "lost the PostgreSQL store connection: \(error.debugDescription)")
        }
        return StoreError(.failed, error.debugDescription)
    }
}
