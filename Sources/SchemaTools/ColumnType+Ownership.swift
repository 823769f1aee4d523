import Postgres
import ToolsCore

extension ColumnType {
    /// Fails with `protected_schema` (naming `column`) when the type with OID `oid`, or what it is built on (an
    /// array's element, a domain's base type, recursively), is a row type of a table, view or other relation
    /// (a column of it pins that relation: its owner can no longer change or drop it), or lives in a protected
    /// schema (a platform's types and domains are the platform's to change). Standalone composite types
    /// (`CREATE TYPE … AS (…)`) outside protected schemas are allowed.
    static func checkOwnership(oid: String, column: String, settings: ToolSettings,
                               connection: PostgresConnection) throws(ToolError) {
        let chain = try connection.ddlQuery("""
            WITH RECURSIVE chain (oid, depth) AS (
                SELECT $1::oid, 0
                UNION ALL
                SELECT CASE WHEN t.typtype = 'd' THEN t.typbasetype WHEN t.typcategory = 'A' THEN t.typelem END, chain.depth + 1
                FROM chain JOIN pg_catalog.pg_type t ON t.oid = chain.oid
                WHERE chain.depth < 16
            )
            SELECT n.nspname, pg_catalog.format_type(t.oid, NULL), c.relkind::text
            FROM chain
            JOIN pg_catalog.pg_type t ON t.oid = chain.oid
            JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
            LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid
            ORDER BY chain.depth
            """, [oid])
        for row in 0..<chain.count {
            let schema = chain.string(row, 0) ?? ""
            let type = chain.string(row, 1) ?? "?"
            // PostgreSQL's own schemas hold the built-in types every column uses; their row types are caught below.
            if schema != "pg_catalog", schema != "information_schema", ProtectedSchemas.contains(schema, settings: settings) {
                throw ToolError(.protectedSchema, """
                    Column '\(column)': the type \(type) belongs to the protected schema \(SQLIdentifier.quote(schema)); \
                    a column of it would tie this table to what the platform manages. Use a type of your own or a built-in one.
                    """)
            }
            if let kind = chain.string(row, 2), kind != "c" {
                throw ToolError(.invalidArguments, """
                    Column '\(column)': \(type) is the row type of a table or view; a column of it would stop that table \
                    from being changed or dropped. Store a reference to it instead (a foreign key), or use jsonb.
                    """)
            }
        }
    }
}
