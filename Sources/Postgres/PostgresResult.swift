/// The complete result of one statement, with every value in PostgreSQL's text form.
///
/// Values are kept as the server's text together with each column's type OID, so typed
/// decoding (numeric, json, arrays, timestamps, bytea) can be layered on top.
public struct PostgresResult: Sendable {
    /// The result columns, in order.
    public let columns: [PostgresColumn]
    /// The rows; each has one entry per column, nil for SQL NULL.
    public let rows: [[String?]]
    /// Rows inserted, updated, deleted, selected, moved, fetched or copied, as the command tag
    /// reports them; 0 for commands that report none.
    public let affectedRows: Int
    /// The command tag, such as `INSERT 0 1` or `CREATE TABLE`.
    public let commandTag: String

    /// Creates a result; used by this module and by test doubles.
    public init(columns: [PostgresColumn], rows: [[String?]], affectedRows: Int = 0, commandTag: String = "") {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
        self.commandTag = commandTag
    }

    /// The number of rows.
    public var count: Int { rows.count }

    /// The 0-based index of the first column called `name`, or nil.
    public func columnIndex(_ name: String) -> Int? { columns.firstIndex { $0.name == name } }

    /// The text in `row`, `column` (both 0-based), or nil for NULL; traps when out of range.
    public func string(_ row: Int, _ column: Int) -> String? { rows[row][column] }

    /// The value in `row`, `column` (both 0-based) as an integer, or nil for NULL or non-integer text.
    public func int(_ row: Int, _ column: Int) -> Int64? { rows[row][column].flatMap { Int64($0) } }

    /// The value in `row`, `column` (both 0-based) as a boolean (`t`/`f`), or nil otherwise.
    public func bool(_ row: Int, _ column: Int) -> Bool? {
        switch rows[row][column] {
        case "t": return true
        case "f": return false
        default: return nil
        }
    }

    /// The text in `row` (0-based) of the first column called `column`; nil for NULL or no such column.
    public subscript(_ row: Int, _ column: String) -> String? {
        guard let index = columnIndex(column) else { return nil }
        return rows[row][index]
    }
}
