import Postgres

/// One wall-clock limit for a whole tool call: every statement it runs (each FETCH of a cursor included)
/// may only use what is left of it, so a call that fetches in many steps still ends on time.
package struct Deadline {
    private let end: ContinuousClock.Instant

    /// A deadline `milliseconds` from now.
    package init(milliseconds: Int) {
        end = .now + .milliseconds(milliseconds)
    }

    /// What is left, in whole milliseconds, at least 1 (`statement_timeout` 0 would mean none).
    package var remainingMilliseconds: Int {
        let left = end - .now
        let milliseconds = left.components.seconds * 1_000 + left.components.attoseconds / 1_000_000_000_000_000
        return Int(max(1, milliseconds))
    }

    /// Sets the transaction's `statement_timeout` to what is left: the server cancels the next statement
    /// when the deadline passes during it.
    package func apply(to connection: PostgresConnection) throws(PostgresError) {
        _ = try connection.query("SELECT pg_catalog.set_config('statement_timeout', $1, true)", ["\(remainingMilliseconds)"])
    }
}
