/// The few operations the thread store needs from a SQL database, implemented for SQLite and PostgreSQL.
///
/// Statements use PostgreSQL-style `$1, $2, …` placeholders; the SQLite wrapper binds them by name,
/// so one SQL text serves both. An instance is used by one thread at a time.
public protocol SQLDatabase: AnyObject {
    /// Which database this is.
    var kind: StoreKind { get }
    /// Runs one statement and returns its rows.
    func rows(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> [SQLRow]
    /// Runs one statement and returns the number of rows it changed.
    @discardableResult
    func run(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> Int
    /// Runs several statements without parameters (schema changes).
    func script(_ sql: String) throws(StoreError)
    /// Runs `body` in a write transaction: committed when it returns, rolled back when it or the
    /// commit throws (the wrapper modules' own transactions do the work).
    func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T
    /// Inside a transaction, waits for the store-wide migration lock (held until the transaction ends).
    func lockForMigration() throws(StoreError)
}

