/// Why libpg_query could not turn a query into a parse tree: a syntax error, or a query this
/// wrapper refuses to hand to the parser (a NUL byte, too long, nested too deeply).
///
/// `description` is generic so that logging the error does not copy SQL into the log (PostgreSQL's
/// messages quote the offending token); the message is in `debugDescription`.
public struct PgQueryError: Error, CustomStringConvertible, CustomDebugStringConvertible, Sendable, Equatable {
    /// The parser's message, as PostgreSQL words it (for example `syntax error at or near "FROM"`).
    public let message: String
    /// Where the error is, as a 1-based character (not byte) offset into the query, as PostgreSQL
    /// reports it; nil when the parser did not say.
    public let cursorPosition: Int?

    /// Creates an error; used by this module and by test doubles.
    public init(message: String, cursorPosition: Int? = nil) {
        self.message = message
        self.cursorPosition = cursorPosition
    }

    /// A summary without the message, which may quote the query.
    public var description: String {
        "PgQueryError" + (cursorPosition.map { "(position: \($0))" } ?? "")
    }

    /// The message and the position.
    public var debugDescription: String {
        "PgQueryError(message: \(message)" + (cursorPosition.map { ", position: \($0)" } ?? "") + ")"
    }
}
