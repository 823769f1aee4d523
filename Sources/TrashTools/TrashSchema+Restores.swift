import Postgres
import ToolsCore

extension TrashSchema {
    /// The log of restores, beside the trash log: which copy came back, who had dropped it, who restored it.
    static let restoreLogTable = "restore_log"
    /// The restore log, quoted for SQL.
    static var restores: String { SQLIdentifier.quote(name) + "." + SQLIdentifier.quote(restoreLogTable) }

    /// Records that `userId` restored `entry` (trashed by `trashedBy` as pgassist's store knows it, nil when it
    /// does not) as `table` (call with the trash locked). The log is created on first use, so a trash made by an
    /// older release gains it too.
    static func recordRestore(of entry: TrashEntry, trashedBy: String?, as table: TableName, by userId: String,
                              connection: PostgresConnection) throws(ToolError) {
        if try connection.ddlQuery("SELECT pg_catalog.to_regclass($1) IS NULL", [restores]).bool(0, 0) == true {
            _ = try connection.ddlQuery("""
                CREATE TABLE \(restores) (
                    trashed_name text NOT NULL,
                    original_schema text NOT NULL,
                    original_name text NOT NULL,
                    trashed_by text NOT NULL,
                    trashed_at timestamptz NOT NULL,
                    restored_by text NOT NULL,
                    restored_at timestamptz NOT NULL DEFAULT pg_catalog.now()
                )
                """)
            _ = try connection.ddlQuery("REVOKE ALL ON \(restores) FROM PUBLIC")
        }
        _ = try connection.ddlQuery("""
            INSERT INTO \(restores) (trashed_name, original_schema, original_name, trashed_by, trashed_at, restored_by)
            SELECT trashed_name, original_schema, original_name, $3, trashed_at, $2
            FROM \(log) WHERE trashed_name = $1
            """, [entry.trashedName, userId, trashedBy ?? "(unknown)"])
    }
}
