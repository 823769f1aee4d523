internal import CLibPQ

extension PostgresConnection {
    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws and
    /// rethrows its error unchanged.
    ///
    /// Called inside another transaction, it uses a savepoint, so only `body`'s work is undone.
    /// If a statement in `body` failed but `body` returned anyway, the transaction is rolled back
    /// and `.queryFailed` thrown, rather than letting COMMIT silently roll back.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        if isInTransaction { return try savepoint(body) }
        try execute("BEGIN")
        do {
            let result = try body()
            try checkNotAborted()
            try execute("COMMIT")
            return result
        } catch {
            // A failed COMMIT has already ended the transaction; a lost connection cannot roll back.
            if isConnected, isInTransaction { try? execute("ROLLBACK") }
            throw error
        }
    }

    private func savepoint<T>(_ body: () throws -> T) throws -> T {
        // The name only needs to be unique among open savepoints; nesting depth is not tracked,
        // so reuse one name: PostgreSQL releases and rolls back to the innermost of that name.
        let name = "pgassist_savepoint"
        try execute("SAVEPOINT \(name)")
        do {
            let result = try body()
            try execute("RELEASE SAVEPOINT \(name)")
            return result
        } catch {
            if isConnected, isInTransaction { try? execute("ROLLBACK TO SAVEPOINT \(name); RELEASE SAVEPOINT \(name)") }
            throw error
        }
    }

    private func checkNotAborted() throws(PostgresError) {
        guard PQtransactionStatus(connection) == PQTRANS_INERROR else { return }
        throw PostgresError(code: .queryFailed, message: "a statement in the transaction failed, so it was rolled back",
                            sqlState: "25P02")
    }
}
