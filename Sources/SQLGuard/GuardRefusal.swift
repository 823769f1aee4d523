/// Why the guard refused a piece of SQL, worded for the model and the user.
///
/// `description` holds only the reason and the position, so logging a refusal does not copy SQL
/// (parse errors quote it); the message is in `debugDescription`.
public struct GuardRefusal: Error, Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The kind of refusal.
    public var reason: Reason
    /// What was refused and why, naming the function, relation or statement, e.g.
    /// "pg_sleep() is not allowed: it makes the session sleep".
    public let message: String
    /// Where the offending part starts, as a 1-based character (not byte) offset into the SQL, when
    /// known.
    public let position: Int?

    /// Creates a refusal; used by the guard and by test doubles.
    public init(reason: Reason, message: String, position: Int? = nil) {
        self.reason = reason
        self.message = message
        self.position = position
    }

    /// True when the SQL could not be parsed at all (the tool reports `sql_parse_error`), false
    /// when it parsed but is not read-only (`sql_not_read_only`).
    public var isParseError: Bool { reason == .parseError }

    /// The reason and the position, without the message.
    public var description: String {
        "GuardRefusal(reason: \(reason)" + (position.map { ", position: \($0)" } ?? "") + ")"
    }

    /// Every field.
    public var debugDescription: String {
        "GuardRefusal(reason: \(reason), message: \(message)" + (position.map { ", position: \($0)" } ?? "") + ")"
    }
}
