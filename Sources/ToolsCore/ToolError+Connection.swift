import Postgres

extension ToolError.Code {
    /// The database refused the login: wrong user or password, a role that may not connect, no password given.
    public static let dbAuthFailed = ToolError.Code(rawValue: "db_auth_failed")
    /// The database the connection names does not exist on its server.
    public static let dbNotFound = ToolError.Code(rawValue: "db_not_found")
    /// The database takes no connections now (at its limit, starting, shutting down); worth retrying shortly.
    public static let dbUnavailable = ToolError.Code(rawValue: "db_unavailable")
    /// The database server refused the connection for another reason.
    public static let dbConnectionRefused = ToolError.Code(rawValue: "db_connection_refused")
}

extension ToolError {
    /// The tool error for a connection that could not be opened or broke: a stable code and a fixed message.
    /// libpq's text is left out on purpose: it may quote what a remote service sent (a banner, a byte of its
    /// answer), name hosts and ports, or tell which ports answer.
    static func connection(_ error: PostgresError) -> ToolError {
        guard let failure = error.connectionFailure else {
            return error.code == .connectionFailed
                ? ToolError(.dbUnreachable, "The database cannot be reached.")
                : ToolError(.dbUnreachable, "The connection to the database was lost.")
        }
        switch failure {
        case .unreachable:
            return ToolError(.dbUnreachable, "The database cannot be reached: no PostgreSQL server answered at that address in time.")
        case .authenticationFailed:
            return ToolError(.dbAuthFailed, "The database refused the login: check the user and password of the connection.")
        case .databaseNotFound:
            return ToolError(.dbNotFound, "The database named in the connection does not exist on that server.")
        case .unavailable:
            return ToolError(.dbUnavailable, "The database is not accepting connections right now (busy, starting or stopping); try again shortly.")
        default:
            return ToolError(.dbConnectionRefused, "The database server refused the connection.")
        }
    }
}
