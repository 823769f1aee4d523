/// A result column's name and PostgreSQL type.
public struct PostgresColumn: Sendable, Hashable {
    /// The column name (the alias when the query gives one).
    public let name: String
    /// The OID of the column's type in `pg_type` (for example 23 for int4, 25 for text).
    public let typeOID: UInt32

    /// Creates a column description.
    public init(name: String, typeOID: UInt32) {
        self.name = name
        self.typeOID = typeOID
    }
}
