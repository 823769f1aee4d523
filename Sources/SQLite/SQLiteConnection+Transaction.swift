extension SQLiteConnection {
    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws and
    /// rethrows its error unchanged.
    ///
    /// `immediate` takes the write lock at BEGIN (BEGIN IMMEDIATE), so a transaction that writes
    /// waits for the busy timeout up front instead of failing when it upgrades a read lock.
    /// Called inside another transaction, it uses a savepoint, so only `body`'s work is undone.
    /// A failed COMMIT rolls back and throws an `SQLiteError` (`isBusy` tells a lock conflict).
    @discardableResult
    public func transaction<T>(immediate: Bool = true, _ body: () throws -> T) throws -> T {
        if isInTransaction { return try savepoint(body) }
        try execute(immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")
        let result: T
        do {
            result = try body()
            try execute("COMMIT")
        } catch {
            // SQLite may already have rolled back by itself (for example after SQLITE_FULL).
            if isInTransaction { executeIgnoringErrors("ROLLBACK") }
            throw error
        }
        return result
    }

    private func savepoint<T>(_ body: () throws -> T) throws -> T {
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        let name = "pgassist_savepoint_\(savepointDepth)"
        try execute("SAVEPOINT \(name)")
        do {
            let result = try body()
            try execute("RELEASE \(name)")
            return result
        } catch {
            if isInTransaction { executeIgnoringErrors("ROLLBACK TO \(name); RELEASE \(name)") }
            throw error
        }
    }
}
