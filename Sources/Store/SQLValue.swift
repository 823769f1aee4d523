/// A parameter or column value exchanged with a SQL store; text and integers are all the store uses.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case text(String)

    /// The value as an integer; PostgreSQL's text form is parsed.
    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .text(let value): Int64(value)
        case .null: nil
        }
    }

    /// The value as text, or nil for NULL.
    public var text: String? {
        switch self {
        case .text(let value): value
        case .integer(let value): String(value)
        case .null: nil
        }
    }
}

/// One row of a query result, in the order of the SELECT list.
public typealias SQLRow = [SQLValue]
