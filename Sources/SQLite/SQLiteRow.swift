/// One row of a query result: the column names and the values in the same order.
public struct SQLiteRow: Sendable {
    /// Column names as SQLite reports them (the alias when the query gives one).
    public let columns: [String]
    /// The values, one per column.
    public let values: [SQLiteValue]

    /// Creates a row; `values` must have one entry per column.
    public init(columns: [String], values: [SQLiteValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value in column `index` (0-based); traps when out of range, like an array.
    public subscript(_ index: Int) -> SQLiteValue { values[index] }

    /// The value in the first column called `name`, or nil when there is no such column.
    public subscript(_ name: String) -> SQLiteValue? {
        guard let index = columns.firstIndex(of: name) else { return nil }
        return values[index]
    }

    /// The integer in column `index` (0-based), or nil when it is NULL or not a number.
    public func int(_ index: Int) -> Int64? { values[index].int }

    /// The text in column `index` (0-based), or nil when it is not text.
    public func string(_ index: Int) -> String? { values[index].string }

    /// The number in column `index` (0-based) as a double, or nil when it is not a number.
    public func double(_ index: Int) -> Double? { values[index].double }

    /// The bytes in column `index` (0-based), or nil when it is neither a blob nor text.
    public func bytes(_ index: Int) -> [UInt8]? { values[index].bytes }
}
