import Postgres

/// The thread store's PostgreSQL database, for deployments where several hosts share threads.
///
/// One connection per worker thread, opened lazily and opened again after it breaks, so a
/// restarted store server costs at most the requests in flight, not the worker: an idle
/// connection the server closed is noticed (without a round trip) before it is used, and
/// replaced. The exception is a transaction, which is never finished on another connection (the
/// server rolls back what it had done): the caller hears `.unavailable`. Run locks, which a new
/// session would not have, are held elsewhere (`RunLockKeeper`).
public final class PostgresDatabase: SQLDatabase {
    private let connectionString: String
    private let connectTimeoutSeconds: Int
    private var connection: PostgresConnection?
    /// The connection of the open transaction: every statement inside it must run there.
    private var transactionConnection: PostgresConnection?

    /// Which database this is.
    public var kind: StoreKind { .postgres }

    /// Prepares a database at `connectionString` (a libpq URI or key=value string); connects on first use.
    /// - Parameter connectTimeoutSeconds: how long one connection attempt may take (libpq's minimum is 2).
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

    /// Runs `body` in a transaction on one connection. If that connection is lost on the way, the
    /// error is `.unavailable` and nothing `body` wrote stays (the server rolls back a transaction
    /// whose connection ends), except when it is lost during COMMIT itself, which may have
    /// succeeded. When BEGIN finds the connection dead, a new connection is tried once.
    public func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        if let open = transactionConnection {
            return try runTransaction(body, on: open)
        }
        var attempt = 0
        while true {
            attempt += 1
            let live = try liveConnection()
            transactionConnection = live
            defer { transactionConnection = nil }
            var entered = false
            do {
                return try runTransaction({ () throws(StoreError) -> T in
                    entered = true
                    return try body()
                }, on: live)
            } catch where error.code == .unavailable && !entered && attempt == 1 {
                // BEGIN itself failed on a dead connection: nothing was done, so a new connection is tried.
                continue
            }
        }
    }

    public func lockForMigration() throws(StoreError) {
        // A transaction-scoped advisory lock: released at COMMIT/ROLLBACK, and by the server
        // when a worker dies holding it. The key is arbitrary but fixed for this application.
        _ = try rows("SELECT pg_advisory_xact_lock(7461636801)", [])
    }

    /// Runs `body` in the wrapper's transaction (a savepoint when one is open) on `live`.
    private func runTransaction<T>(_ body: () throws(StoreError) -> T, on live: PostgresConnection) throws(StoreError) -> T {
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

    /// Runs one statement on the open transaction's connection, or else on a live connection.
    private func perform<T>(_ body: (PostgresConnection) throws(PostgresError) -> T) throws(StoreError) -> T {
        if let open = transactionConnection {
            // Reconnecting here would run the rest of the transaction's statements outside it.
            guard open.isConnected else {
                throw StoreError(.unavailable, "lost the PostgreSQL store connection inside a transaction")
            }
            do {
                return try body(open)
            } catch {
                throw classify(error, on: open)
            }
        }
        let live = try liveConnection()
        do {
            return try body(live)
        } catch {
            throw classify(error, on: live)
        }
    }

    /// The open connection, or a new one when there is none or it broke (even while idle).
    private func liveConnection() throws(StoreError) -> PostgresConnection {
        if let connection {
            if connection.probe() { return connection }
            self.connection = nil
        }
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
            if connection === live { connection = nil }
            return StoreError(.unavailable, "lost the PostgreSQL store connection: \(error.debugDescription)")
        }
        return StoreError(.failed, error.debugDescription)
    }
}
