import Postgres
import ToolsCore

/// The schema where `drop_table` moves tables instead of destroying them, and its log of what each
/// trashed table was and which dependents had to go with it. The schema is protected: no tool creates,
/// drops or restores into it directly, listings hide it, and PUBLIC has no privileges on it.
package enum TrashSchema {
    /// The schema name.
    package static let name = ProtectedSchemas.trash
    /// The log table inside it.
    static let logTable = "trash_log"
    /// The log table, quoted for SQL.
    static var log: String { SQLIdentifier.quote(name) + "." + SQLIdentifier.quote(logTable) }

    /// Serializes trash and restore operations on this database until the transaction ends.
    static func lock(_ connection: PostgresConnection) throws(ToolError) {
        _ = try connection.ddlQuery("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('pgassist_trash'))")
    }

    /// Whether the log exists yet.
    static func exists(_ connection: PostgresConnection) throws(ToolError) -> Bool {
        try connection.ddlQuery("SELECT pg_catalog.to_regclass($1) IS NOT NULL", [log]).bool(0, 0) == true
    }

    /// Creates the schema and the log when missing (call after `lock`), owned by the connecting role with
    /// nothing granted to PUBLIC, adds what newer releases keep to an older log, and checks that the trash is
    /// ours (`verify`) before and after.
    static func ensure(_ connection: PostgresConnection) throws(ToolError) {
        let schema = SQLIdentifier.quote(name)
        if try !exists(connection) {
            _ = try connection.ddlQuery("CREATE SCHEMA IF NOT EXISTS \(schema) AUTHORIZATION CURRENT_USER")
            // A schema someone else made first is refused here, before anything goes into it.
            try verify(connection)
            for statement in [
                "REVOKE ALL ON SCHEMA \(schema) FROM PUBLIC",
                "COMMENT ON SCHEMA \(schema) IS 'Tables dropped through the pgassist assistant; restore them with restore_table.'",
                """
                CREATE TABLE IF NOT EXISTS \(log) (
                    trashed_name text PRIMARY KEY,
                    original_schema text NOT NULL,
                    original_name text NOT NULL,
                    trashed_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
                    trashed_by text NOT NULL,
                    views jsonb NOT NULL DEFAULT '[]',
                    foreign_keys jsonb NOT NULL DEFAULT '[]',
                    renamed jsonb NOT NULL DEFAULT '[]'
                )
                """,
                "REVOKE ALL ON \(log) FROM PUBLIC",
            ] {
                _ = try connection.ddlQuery(statement)
            }
        }
        try verify(connection)
        _ = try connection.ddlQuery("ALTER TABLE \(log) ADD COLUMN IF NOT EXISTS triggers jsonb NOT NULL DEFAULT '[]'")
    }

    /// The name a table gets in the trash: `<schema>__<table>__<stamp>` (stamp like `20261125T031500Z`),
    /// in lower-case ASCII letters, digits and `_`. When the names had to be changed to fit that, or the
    /// result would exceed 63 bytes, the front is cut and a hash of the original names keeps it distinct.
    static func trashedName(for table: TableName, stamp: String) -> String {
        func clean(_ text: String) -> String {
            String(text.lowercased().unicodeScalars.map { scalar -> Character in
                (scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))) ? Character(scalar) : "_"
            })
        }
        var base = clean(table.schema) + "__" + clean(table.name)
        let suffix = "__" + stamp
        let changed = base != table.schema + "__" + table.name
        if changed || base.utf8.count + suffix.utf8.count > SQLIdentifier.maxLength {
            let hash = "_" + fnv1a(table.schema + "\u{0}" + table.name)
            let room = SQLIdentifier.maxLength - suffix.utf8.count - hash.utf8.count
            base = String(base.prefix(room)) + hash
        }
        return base + suffix
    }

    /// 8 hex digits of the 64-bit FNV-1a hash of `text`'s UTF-8 bytes.
    static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash >> 32 ^ hash & 0xffff_ffff, radix: 16)
        return String(repeating: "0", count: max(0, 8 - hex.count)) + hex
    }
}
