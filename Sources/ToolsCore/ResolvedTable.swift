import Postgres

/// A table found in the catalog by its exact schema and name.
package struct ResolvedTable {
    package let name: TableName
    /// Its OID, as text for binding.
    package let oid: String
    /// `pg_class.relkind`: `r` for a plain table, `p` for a partitioned one.
    package let kind: String
    /// Whether it is a partition of another table.
    let isPartition: Bool

    /// Whether it can be moved to the trash as it is (a plain table that is not a partition:
    /// moving a partitioned table would leave its partitions behind).
    package var isTrashable: Bool { kind == "r" && !isPartition }

    /// Looks `name` up; fails with `relation_not_found` naming it when there is no such table.
    package static func find(_ name: TableName, connection: PostgresConnection) throws(ToolError) -> ResolvedTable {
        let result = try connection.ddlQuery("""
            SELECT c.oid::text, c.relkind::text, c.relispartition
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = $2
            """, [name.schema, name.name])
        guard result.count == 1, let oid = result.string(0, 0), let kind = result.string(0, 1) else {
            throw ToolError(.relationNotFound, "There is no table \(name.display); check the schema and the exact name (list_tables shows them).",
                            details: ["table": .string(name.display)])
        }
        guard kind == "r" || kind == "p" else {
            let what = ["v": "a view", "m": "a materialized view", "f": "a foreign table", "S": "a sequence", "i": "an index",
                        "c": "a composite type"][kind] ?? "not a table"
            throw ToolError(.relationNotFound, "\(name.display) is \(what), not a table; drop_table only drops tables.",
                            details: ["table": .string(name.display)])
        }
        return ResolvedTable(name: name, oid: oid, kind: kind, isPartition: result.bool(0, 2) == true)
    }
}
