/// One SQLite value, as bound to a parameter or read from a result column.
///
/// SQLite has five storage classes; each case carries the Swift form of one of them.
public enum SQLiteValue: Sendable, Hashable {
    /// SQL NULL.
    case null
    /// A 64-bit signed integer.
    case integer(Int64)
    /// An IEEE 754 double-precision number.
    case real(Double)
    /// UTF-8 text.
    case text(String)
    /// Raw bytes.
    case blob([UInt8])
}
