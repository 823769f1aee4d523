internal import CSQLite3

/// A connection to one SQLite database file, with a cache of compiled statements.
///
/// Queries use PostgreSQL-style placeholders (`$1`, `$2`, …) so the same SQL text runs on both
/// databases; a placeholder used twice receives the same value. Plain `?` works as well.
/// A connection belongs to one thread at a time (it is opened without SQLite's own mutex),
/// so it is deliberately not `Sendable`: give each worker thread its own.
public final class SQLiteConnection {
    private let database: OpaquePointer
    private var statements: [String: SQLiteStatement] = [:]
    var savepointDepth = 0
    private let busyWait: BusyWait

    /// How long a statement waits for another connection's lock, in milliseconds, before failing
    /// with an error whose `isBusy` is true (0 or less: it fails at once); it retries every few
    /// milliseconds meanwhile (see `BusyWait`). A change applies to the statements that follow, so
    /// a caller can give each attempt only what is left of its own deadline.
    public var busyTimeoutMilliseconds: Int32 {
        get { busyWait.timeoutMilliseconds }
        set { busyWait.timeoutMilliseconds = newValue }
    }

    /// Statements kept compiled per connection; past this the cache is emptied and refilled.
    private static let statementCacheLimit = 128

    /// Opens (and creates if needed) the database file at `path` for reading and writing.
    ///
    /// `busyTimeoutMilliseconds` is how long a statement waits for another connection's lock
    /// before failing with an error whose `isBusy` is true.
    public init(path: String, busyTimeoutMilliseconds: Int32 = 5000) throws(SQLiteError) {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let error = SQLiteError(resultCode: handle.map(sqlite3_extended_errcode) ?? rc,
                                    message: handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory")
            sqlite3_close_v2(handle)
            throw error
        }
        sqlite3_extended_result_codes(handle, 1)
        busyWait = BusyWait(timeoutMilliseconds: busyTimeoutMilliseconds)
        busyWait.install(on: handle)
        database = handle
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(database)
    }

    /// Runs one or more `;`-separated statements without parameters, for pragmas and DDL.
    public func execute(_ sql: String) throws(SQLiteError) {
        guard sqlite3_exec(database, sql, nil, nil, nil) == SQLITE_OK else { throw lastError() }
    }

    /// Runs one statement with `parameters` bound to `$1`, `$2`, … and returns all its rows.
    public func query(_ sql: String, _ parameters: [SQLiteValue] = []) throws(SQLiteError) -> [SQLiteRow] {
        try statement(for: sql).execute(parameters, collect: true)
    }

    /// Runs one statement with `parameters` bound to `$1`, `$2`, … and returns how many rows
    /// it inserted, updated or deleted. Rows it returns (`RETURNING`) are discarded.
    @discardableResult
    public func run(_ sql: String, _ parameters: [SQLiteValue] = []) throws(SQLiteError) -> Int {
        _ = try statement(for: sql).execute(parameters, collect: false)
        return Int(sqlite3_changes64(database))
    }

    /// The rowid of the most recent successful INSERT on this connection (0 before any).
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(database) }

    /// True while a transaction is open on this connection.
    public var isInTransaction: Bool { sqlite3_get_autocommit(database) == 0 }

    /// Runs `sql` without parameters or caching, ignoring failure; for ROLLBACK during cleanup.
    func executeIgnoringErrors(_ sql: String) {
        _ = sqlite3_exec(database, sql, nil, nil, nil)
    }

    private func statement(for sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let cached = statements[sql] { return cached }
        let compiled = try SQLiteStatement(database: database, sql: sql)
        if statements.count >= Self.statementCacheLimit { statements.removeAll(keepingCapacity: true) }
        statements[sql] = compiled
        return compiled
    }

    private func lastError() -> SQLiteError {
        SQLiteError(resultCode: sqlite3_extended_errcode(database), message: String(cString: sqlite3_errmsg(database)))
    }
}
