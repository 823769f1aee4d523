import Postgres

/// Statement helpers for the tools that change the schema: PostgreSQL failures become tool errors,
/// and a savepoint lets one statement fail without aborting the whole transaction.
extension PostgresConnection {
    /// Runs one statement with bound text parameters; failures become tool errors, and "other objects
    /// depend on it" (SQLSTATE 2BP01) becomes `dependent_objects`.
    @discardableResult
    package func ddlQuery(_ sql: String, _ parameters: [String?] = []) throws(ToolError) -> PostgresResult {
        do throws(PostgresError) {
            return try query(sql, parameters)
        } catch {
            guard error.sqlState == "2BP01" else { throw ToolError.from(error) }
            var message = error.message
            if let detail = error.detail { message += " Detail: \(detail)" }
            throw ToolError(.dependentObjects, "Nothing was dropped: \(message)")
        }
    }

    /// Runs `body` behind a savepoint: when it fails, only its own work is undone and the
    /// transaction stays usable; the failure is returned rather than thrown.
    package func ddlAttempt<T>(_ body: () throws(ToolError) -> T) throws(ToolError) -> Result<T, ToolError> {
        _ = try ddlQuery("SAVEPOINT pgassist_ddl_attempt")
        do throws(ToolError) {
            let value = try body()
            _ = try ddlQuery("RELEASE SAVEPOINT pgassist_ddl_attempt")
            return .success(value)
        } catch {
            _ = try ddlQuery("ROLLBACK TO SAVEPOINT pgassist_ddl_attempt")
            _ = try ddlQuery("RELEASE SAVEPOINT pgassist_ddl_attempt")
            return .failure(error)
        }
    }

    /// `quote_literal(text)` computed by the server, for utility statements (COMMENT, DEFAULT)
    /// that cannot take bound parameters.
    package func ddlLiteral(_ text: String) throws(ToolError) -> String {
        guard let literal = try ddlQuery("SELECT pg_catalog.quote_literal($1::text)", [text]).string(0, 0) else {
            throw ToolError(.internalError, "The server did not quote a literal.")
        }
        return literal
    }
}
