import JSON
import Postgres
import ToolsCore

extension DependentForeignKey {
    /// Which foreign keys of a table to read.
    enum Direction {
        /// Keys on other tables that reference it.
        case referencing
        /// Its own keys that reference other tables (a key referencing the table itself stays with it).
        case outgoing
    }

    /// Reads the foreign keys of the table with OID `oid` in `direction`, with their structure, in name order.
    /// Names come out schema-qualified when the `search_path` is empty (as `TableDependents.find` sets it).
    package static func find(_ direction: Direction, oid: String, connection: PostgresConnection) throws(ToolError) -> [DependentForeignKey] {
        let filter = direction == .referencing ? "con.confrelid = $1::oid AND con.conrelid <> $1::oid"
                                               : "con.conrelid = $1::oid AND con.confrelid <> $1::oid"
        let rows = try connection.ddlQuery("""
            SELECT n.nspname, c.relname, con.conname, pg_catalog.pg_get_constraintdef(con.oid),
                   (SELECT pg_catalog.json_agg(a.attname ORDER BY k.ord)
                    FROM pg_catalog.unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum)::text,
                   rn.nspname, rc.relname,
                   (SELECT pg_catalog.json_agg(a.attname ORDER BY k.ord)
                    FROM pg_catalog.unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum)::text,
                   con.confupdtype::text, con.confdeltype::text, con.confmatchtype::text,
                   con.condeferrable, con.condeferred, con.convalidated
            FROM pg_catalog.pg_constraint con
            JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
            JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
            WHERE con.contype = 'f' AND \(filter) AND con.conparentid = 0
            ORDER BY n.nspname, c.relname, con.conname
            """, [oid])
        return (0..<rows.count).map { row in
            let names = { (column: Int) -> [String] in
                (rows.string(row, column).flatMap { try? JSONValue.parse($0) }?.arrayValue ?? []).compactMap(\.stringValue)
            }
            let structure = Structure(columns: names(4), referencedSchema: rows.string(row, 5) ?? "",
                                      referencedTable: rows.string(row, 6) ?? "", referencedColumns: names(7),
                                      onUpdate: rows.string(row, 8) ?? "a", onDelete: rows.string(row, 9) ?? "a",
                                      match: rows.string(row, 10) ?? "s", deferrable: rows.bool(row, 11) == true,
                                      deferred: rows.bool(row, 12) == true, validated: rows.bool(row, 13) != false)
            return DependentForeignKey(schema: rows.string(row, 0) ?? "", table: rows.string(row, 1) ?? "",
                                       name: rows.string(row, 2) ?? "", definition: rows.string(row, 3) ?? "",
                                       structure: structure)
        }
    }
}
