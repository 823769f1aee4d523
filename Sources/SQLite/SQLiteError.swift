/// An error reported by SQLite, or a misuse detected before calling it.
///
/// `description` names only the kind of error and the result code, so logging it cannot leak
/// SQL text or parameter values; SQLite's own message is in `message` and `debugDescription`.
public struct SQLiteError: Error, CustomStringConvertible, CustomDebugStringConvertible {
    /// The kind of error, derived from the primary result code.
    public var code: Code
    /// SQLite's extended result code (for example 2067, SQLITE_CONSTRAINT_UNIQUE).
    public let resultCode: Int32
    /// SQLite's message; it may quote parts of the SQL or of the schema.
    public let message: String

    /// Creates an error from an (extended) SQLite result code and message.
    public init(resultCode: Int32, message: String) {
        self.code = Code(resultCode: resultCode)
        self.resultCode = resultCode
        self.message = message
    }

    /// Creates an error of a given kind that did not come from SQLite itself.
    public init(code: Code, resultCode: Int32, message: String) {
        self.code = code
        self.resultCode = resultCode
        self.message = message
    }

    /// True when the database was locked by another connection (SQLITE_BUSY) or by another
    /// statement or shared-cache user (SQLITE_LOCKED); retrying the transaction may succeed.
    public var isBusy: Bool { code == .busy || code == .locked }

    /// True when a UNIQUE, NOT NULL, CHECK, FOREIGN KEY or PRIMARY KEY constraint failed.
    public var isConstraintViolation: Bool { code == .constraint }

    /// A generic summary without SQL, parameters or SQLite's message.
    public var description: String { "SQLiteError(code: \(code), resultCode: \(resultCode))" }

    /// The summary with SQLite's message, for debugging.
    public var debugDescription: String { "SQLiteError(code: \(code), resultCode: \(resultCode), message: \(message))" }
}
