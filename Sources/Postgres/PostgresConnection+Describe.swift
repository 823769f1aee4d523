internal import CLibPQ

extension PostgresConnection {
    /// The columns `sql` (one statement, no parameters) would return, learnt by preparing it as the unnamed
    /// statement and describing it: the server parses and analyzes it but runs nothing. Zero columns for a
    /// statement that returns no rows or a SELECT of no columns.
    public func describe(_ sql: String) throws(PostgresError) -> [PostgresColumn] {
        guard !sql.utf8.contains(0) else {
            throw PostgresError(code: .invalidArgument, message: "the SQL contains a NUL character")
        }
        _ = try consume(PQprepare(connection, "", sql, 0, nil))
        return try consume(PQdescribePrepared(connection, "")).columns
    }
}
