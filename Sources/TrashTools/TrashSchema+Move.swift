import JSON
import Postgres
import ToolsCore

extension TrashSchema {
    /// Moves `table` into the trash and returns the copy it became: drops the dependents and the table's own
    /// foreign keys (their structure goes into the log), renames the table's indexes and sequences to unique
    /// hidden names (those names are unique per schema, and an earlier copy of the same table may already be
    /// in the trash), renames the table to its trash name, moves it with `SET SCHEMA`, disables its user
    /// triggers, and logs the lot. Call with the table locked.
    static func moveIn(_ table: ResolvedTable, dependents: TableDependents, userId: String,
                       connection: PostgresConnection) throws(ToolError) -> TrashedCopyKey {
        try lock(connection)
        try ensure(connection)
        for foreignKey in dependents.foreignKeys + dependents.outgoingForeignKeys {
            try connection.ddlQuery(foreignKey.dropStatement)
        }
        for view in dependents.views.reversed() { try connection.ddlQuery(view.dropStatement) }

        let stamp = try connection.ddlQuery(
            "SELECT pg_catalog.to_char(pg_catalog.clock_timestamp() AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"')").string(0, 0) ?? "0"
        let trashed = try freeName(trashedName(for: table.name, stamp: stamp), table: table.name, connection: connection)

        let owned = try connection.ddlQuery("""
            SELECT c.relname, c.relkind::text FROM pg_catalog.pg_class c
            WHERE c.relkind IN ('i', 'S') AND c.oid IN (
                SELECT indexrelid FROM pg_catalog.pg_index WHERE indrelid = $1::oid
                UNION
                SELECT objid FROM pg_catalog.pg_depend
                WHERE classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                  AND refobjid = $1::oid AND deptype IN ('a', 'i'))
            ORDER BY c.relname
            """, [table.oid])
        let schema = SQLIdentifier.quote(table.name.schema)
        var renamed: [JSONValue] = []
        let token = randomToken(12)
        for row in 0..<owned.count {
            guard let original = owned.string(row, 0) else { continue }
            let kind = owned.string(row, 1) == "S" ? "sequence" : "index"
            let hidden = "pgassist_\(token)_\(row + 1)"
            try connection.ddlQuery("ALTER \(kind.uppercased()) \(schema).\(SQLIdentifier.quote(original)) RENAME TO \(SQLIdentifier.quote(hidden))")
            renamed.append(.object(["kind": .string(kind), "original": .string(original), "trashed": .string(hidden)]))
        }
        try connection.ddlQuery("ALTER TABLE \(table.name.sql) RENAME TO \(SQLIdentifier.quote(trashed))")
        try connection.ddlQuery("ALTER TABLE \(schema).\(SQLIdentifier.quote(trashed)) SET SCHEMA \(SQLIdentifier.quote(name))")
        // Nothing writes a trashed table (no foreign key reaches it any more), and its triggers stay off in case
        // someone does: a trigger that changes live tables must not fire from the trash.
        let triggers = try userTriggers(oid: table.oid, connection: connection)
        if !triggers.isEmpty {
            try connection.ddlQuery("ALTER TABLE \(SQLIdentifier.quote(name)).\(SQLIdentifier.quote(trashed)) DISABLE TRIGGER USER")
        }
        try connection.ddlQuery("""
            INSERT INTO \(log) (trashed_name, original_schema, original_name, trashed_by, views, foreign_keys, renamed, triggers)
            VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8::jsonb)
            """, [trashed, table.name.schema, table.name.name, userId,
                  JSONValue.array(dependents.views.map(\.record)).serialized(),
                  JSONValue.array((dependents.foreignKeys + dependents.outgoingForeignKeys).map(\.record)).serialized(),
                  JSONValue.array(renamed).serialized(), JSONValue.array(triggers.map(\.record)).serialized()])
        let database = try connection.ddlQuery("SELECT pg_catalog.current_database()::text").string(0, 0) ?? ""
        return TrashedCopyKey(database: database, tableOid: table.oid, trashedName: trashed)
    }

    /// The table's own triggers (not those PostgreSQL made for constraints), by name.
    static func userTriggers(oid: String, connection: PostgresConnection) throws(ToolError) -> [TrashedTrigger] {
        let rows = try connection.ddlQuery("""
            SELECT tgname, tgenabled::text FROM pg_catalog.pg_trigger WHERE tgrelid = $1::oid AND NOT tgisinternal ORDER BY tgname
            """, [oid])
        return (0..<rows.count).map { TrashedTrigger(name: rows.string($0, 0) ?? "", enabled: rows.string($0, 1) ?? "O") }
    }

    /// `name`, or `name_2`, `name_3`, … (shortened to fit) when the trash or the table's schema already has it.
    private static func freeName(_ name: String, table: TableName, connection: PostgresConnection) throws(ToolError) -> String {
        var candidate = name
        var attempt = 1
        while try connection.ddlQuery("""
            SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relname = $1 AND n.nspname IN ($2, $3)
            """, [candidate, Self.name, table.schema]).count > 0 {
            attempt += 1
            let suffix = "_\(attempt)"
            candidate = String(name.prefix(SQLIdentifier.maxLength - suffix.count)) + suffix
        }
        return candidate
    }

    private static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz")

    /// `length` random lower-case letters and digits from the system's CSPRNG.
    static func randomToken(_ length: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
