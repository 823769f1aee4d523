/// An error from PostgreSQL or from libpq, with the server's diagnostic fields when it sent them.
///
/// `description` holds only the kind of error and the SQLSTATE, so logging it cannot leak SQL,
/// parameter values or connection strings; the messages are in `debugDescription`.
public struct PostgresError: Error, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong, broadly.
    public var code: Code
    /// The five-character SQLSTATE the server reported (for example `23505`), if any.
    public let sqlState: String?
    /// The primary message from the server or from libpq; it may quote values.
    public let message: String
    /// The server's detail message, which may quote row values.
    public let detail: String?
    /// The server's hint, if any.
    public let hint: String?
    /// Where in the statement the error is, as a 1-based character (not byte) position.
    public let position: Int?
    /// Why the connection could not be opened, for a `.connectionFailed` error of a connection that classifies
    /// its failures (`PostgresConnection(diagnosing:)`); nil otherwise.
    public let connectionFailure: ConnectionFailure?

    /// Creates an error; used by this module and by test doubles.
    public init(code: Code, message: String, sqlState: String? = nil, detail: String? = nil,
                hint: String? = nil, position: Int? = nil, connectionFailure: ConnectionFailure? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.position = position
        self.connectionFailure = connectionFailure
    }

    /// A UNIQUE or PRIMARY KEY constraint failed (SQLSTATE 23505).
    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// A serializable transaction conflicted with another one (SQLSTATE 40001); retry it.
    public var isSerializationFailure: Bool { sqlState == "40001" }

    /// The connection could not be made or is gone (SQLSTATE class 08, or lost or failed).
    public var isConnectionError: Bool {
        code == .connectionLost || code == .connectionFailed || sqlState?.hasPrefix("08") == true
    }

    /// A generic summary without SQL, parameters, connection details or the server's message.
    public var description: String {
        "PostgresError(code: \(code)" + (sqlState.map { ", sqlState: \($0)" } ?? "")
            + (connectionFailure.map { ", connectionFailure: \($0)" } ?? "") + ")"
    }

    /// Every field, for debugging; the message and detail may quote data.
    public var debugDescription: String {
        var text = "PostgresError(code: \(code)"
        if let sqlState { text += ", sqlState: \(sqlState)" }
        if let connectionFailure { text += ", connectionFailure: \(connectionFailure)" }
        text += ", message: \(message)"
        if let detail { text += ", detail: \(detail)" }
        if let hint { text += ", hint: \(hint)" }
        if let position { text += ", position: \(position)" }
        return text + ")"
    }
}
