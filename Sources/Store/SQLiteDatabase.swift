import SQLite
#if canImport(Glibc)
import Glibc
#endif
import Platform

/// The thread store's SQLite database: one connection per worker thread, WAL mode so many
/// worker processes share the file, and a busy timeout so writers queue instead of failing.
///
/// The connection's busy handler makes one statement wait for a lock, polling every few
/// milliseconds (see `SQLiteConnection.busyTimeoutMilliseconds`), but some lock conflicts fail at
/// once without it: switching a new file to WAL, a transaction whose snapshot went stale before it
/// could write (SQLITE_BUSY_SNAPSHOT), a COMMIT that needs a lock another connection holds (outside
/// WAL mode). Every operation (one statement, or a whole transaction) is therefore retried from the
/// start with a short randomized backoff while it fails with SQLITE_BUSY or SQLITE_LOCKED, until the
/// busy timeout is used up; then it fails with `StoreError.busy` (503 `store_busy`). Each attempt's
/// busy handler waits only for what is left of that budget, so an operation never waits much longer
/// than the busy timeout in all.
public final class SQLiteDatabase: SQLDatabase {
    private let connection: SQLiteConnection
    /// The most an operation waits for other writers, in milliseconds.
    private let busyTimeoutMilliseconds: Int32

    /// Which database this is.
    public var kind: StoreKind { .sqlite }

    /// Opens (creating when needed) the file at `path` and its parent folder.
    /// - Parameters:
    ///   - busyTimeoutMilliseconds: how long an operation waits for other writers.
    ///   - durability: when commits reach the disk.
    public init(path: String, busyTimeoutMilliseconds: Int32 = 30_000, durability: SQLiteDurability = .full) throws(StoreError) {
        FileSystem.createParentDirectory(of: path)
        do {
            connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        } catch {
            throw Self.storeError(error)
        }
        self.busyTimeoutMilliseconds = max(0, busyTimeoutMilliseconds)
        // WAL lets readers run beside one writer; FULL (the default) syncs the WAL on every commit so an
        // acknowledged message survives a power loss, not only a crash. Switching a new file to WAL
        // needs an exclusive lock, and SQLite answers BUSY at once (without its busy handler) when
        // that could deadlock with another opener: workers starting together retry.
        try script("PRAGMA journal_mode=WAL; PRAGMA synchronous=\(durability.pragmaValue); PRAGMA foreign_keys=ON;")
    }

    public func rows(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> [SQLRow] {
        try retryingStatementWhileBusy { () throws(SQLiteError) in
            try connection.query(sql, parameters.map(Self.sqliteValue)).map { row in row.values.map(Self.sqlValue) }
        }
    }

    @discardableResult
    public func run(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> Int {
        try retryingStatementWhileBusy { () throws(SQLiteError) in try connection.run(sql, parameters.map(Self.sqliteValue)) }
    }

    public func script(_ sql: String) throws(StoreError) {
        try retryingStatementWhileBusy { () throws(SQLiteError) in try connection.execute(sql) }
    }

    /// Runs `body` in a write transaction. When a statement in it, BEGIN or COMMIT fails because
    /// another connection holds the lock, the transaction is rolled back and `body` runs again
    /// from the start (so it must not have effects outside this database), until the busy timeout
    /// is used up. Inside another transaction it is a savepoint and is not retried on its own:
    /// the outermost transaction is.
    public func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try retryingWhileBusy { () throws(StoreError) -> T in
            // BEGIN IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
            // writes fails with SQLITE_BUSY_SNAPSHOT, without waiting, when another connection wrote in between.
            do {
                return try connection.transaction(immediate: true) { () throws -> T in try body() }
            } catch let error as StoreError {
                throw error
            } catch let error as SQLiteError {
                throw Self.storeError(error)
            } catch {
                throw StoreError(.failed, String(describing: error))
            }
        }
    }

    /// `retryingWhileBusy` for one statement of the SQLite wrapper.
    private func retryingStatementWhileBusy<T>(_ attempt: () throws(SQLiteError) -> T) throws(StoreError) -> T {
        try retryingWhileBusy { () throws(StoreError) -> T in
            do throws(SQLiteError) {
                return try attempt()
            } catch {
                throw Self.storeError(error)
            }
        }
    }

    /// Runs `attempt` (one statement, or a whole transaction) and runs it again while it fails with
    /// `.busy`, waiting 1–8 ms between attempts (doubling, randomized so racing connections do not
    /// retry in lockstep), until `busyTimeoutMilliseconds` have passed since the first attempt.
    ///
    /// Inside a transaction a statement is not retried on its own: a busy statement there means the
    /// transaction's snapshot or lock is lost, and only running the whole transaction again helps.
    private func retryingWhileBusy<T>(_ attempt: () throws(StoreError) -> T) throws(StoreError) -> T {
        if connection.isInTransaction { return try attempt() }
        let budget = Duration.milliseconds(Int(busyTimeoutMilliseconds))
        let deadline = ContinuousClock.now + budget
        var pauseMilliseconds = 1
        defer { connection.busyTimeoutMilliseconds = busyTimeoutMilliseconds }
        while true {
            connection.busyTimeoutMilliseconds = Self.milliseconds(until: deadline)
            do {
                return try attempt()
            } catch where error.code == .busy {
                let left = Self.milliseconds(until: deadline)
                guard left > 0 else {
                    throw StoreError(.busy, "\(error.detail) (after waiting \(busyTimeoutMilliseconds) ms for other writers)")
                }
                Sleep.milliseconds(min(Int.random(in: (pauseMilliseconds + 1) / 2...pauseMilliseconds), Int(left)))
                pauseMilliseconds = min(pauseMilliseconds * 2, 8)
            }
        }
    }

    /// Whole milliseconds from now until `deadline`; 0 once it has passed.
    private static func milliseconds(until deadline: ContinuousClock.Instant) -> Int32 {
        Int32(clamping: max(MonotonicClock.milliseconds(until: deadline), 0))
    }

    public func lockForMigration() throws(StoreError) {
        // BEGIN IMMEDIATE already holds the database's single write lock.
    }

    private static func sqliteValue(_ value: SQLValue) -> SQLiteValue {
        switch value {
        case .null: .null
        case .integer(let number): .integer(number)
        case .text(let text): .text(text)
        }
    }

    private static func sqlValue(_ value: SQLiteValue) -> SQLValue {
        switch value {
        case .null: .null
        case .integer(let number): .integer(number)
        case .text(let text): .text(text)
        case .real(let number): .text(String(number))
        case .blob(let bytes): .text(String(decoding: bytes, as: UTF8.self))
        }
    }

    private static func storeError(_ error: SQLiteError) -> StoreError {
        StoreError(error.isBusy ? .busy : .failed, error.debugDescription)
    }
}
