import Postgres

extension ToolError {
    /// The tool error for a PostgreSQL failure: timeouts, permissions, missing relations and connections that
    /// failed or broke get their own codes (connections with a fixed message, see `connection(_:)`); the rest is
    /// `sql_error` with the server's message, detail and hint.
    public static func from(_ error: PostgresError) -> ToolError {
        if error.isConnectionError || error.code == .connectionFailed || error.code == .connectionLost {
            return connection(error)
        }
        var message = error.message
        if let detail = error.detail { message += " Detail: \(detail)" }
        if let hint = error.hint { message += " Hint: \(hint)" }
        switch error.sqlState {
        case "57014": return ToolError(.sqlTimeout, "The statement ran longer than the time limit and was cancelled.")
        case "55P03": return ToolError(.sqlTimeout, "A lock could not be taken within the lock timeout: \(message)")
        case "42501": return ToolError(.permissionDenied, message)
        case "25006": return ToolError(.sqlNotReadOnly, "The database refused a write in a read-only transaction: \(message)")
        case "42P01", "3F000": return ToolError(.relationNotFound, message)
        case "42601": return ToolError(.sqlParseError, message, details: error.position.map { ["position": .number(Double($0))] } ?? [:])
        default: return ToolError(.sqlError, message, details: error.sqlState.map { ["sqlState": .string($0)] } ?? [:])
        }
    }
}
