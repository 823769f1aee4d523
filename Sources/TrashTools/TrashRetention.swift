import Postgres
import ToolsCore

/// Retention for the trash that `drop_table` fills: destroys tables trashed before a cutoff, for
/// `pgassist purge --trash-db`. The trash log's `trashed_at` says when each table was trashed; tables in
/// the trash schema without a log row are not pgassist's to judge and are left alone.
public enum TrashRetention {
    /// The schema trashed tables live in.
    public static let schemaName = TrashSchema.name
    /// How long one drop waits for a lock on the table before giving up on it, in milliseconds.
    static let lockTimeoutMilliseconds = 5_000

    /// Drops the tables trashed before `cutoff` (milliseconds since the epoch) in the database at
    /// `connectionString`, one table per transaction so no lock is held for long, and deletes their log rows;
    /// with `dryRun` only lists them. A table that cannot be dropped (something depends on it, its lock
    /// is busy) is reported in `failed` and kept.
    public static func purge(connectionString: String, trashedBefore cutoff: Int64, dryRun: Bool) throws(ToolError) -> TrashPurgeResult {
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection(connectionString: connectionString, applicationName: "pgassist-purge")
        } catch {
            throw ToolError.from(error)
        }
        guard try TrashSchema.existsTrusted(connection) else { return TrashPurgeResult(dropped: [], failed: []) }
        let cutoffSeconds = String(Double(cutoff) / 1_000)
        let expired = try connection.ddlQuery("""
            SELECT trashed_name, original_schema, original_name,
                   pg_catalog.to_char(trashed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
            FROM \(TrashSchema.log) WHERE trashed_at < pg_catalog.to_timestamp($1::float8)
            ORDER BY trashed_at, trashed_name
            """, [cutoffSeconds])
        let tables = (0..<expired.count).map { row in
            TrashedTable(trashedName: expired.string(row, 0) ?? "", originalSchema: expired.string(row, 1) ?? "",
                         originalName: expired.string(row, 2) ?? "", trashedAt: expired.string(row, 3) ?? "")
        }
        if dryRun { return TrashPurgeResult(dropped: tables, failed: []) }
        var dropped: [TrashedTable] = []
        var failed: [(table: TrashedTable, error: ToolError)] = []
        for table in tables {
            do {
                let done = try connection.transaction { () throws -> Bool in
                    try drop(table, cutoffSeconds: cutoffSeconds, connection: connection)
                }
                if done { dropped.append(table) }
            } catch let error as ToolError {
                failed.append((table, error))
            } catch let error as PostgresError {
                failed.append((table, ToolError.from(error)))
            } catch {
                failed.append((table, ToolError(.internalError, "\(error)")))
            }
        }
        return TrashPurgeResult(dropped: dropped, failed: failed)
    }

    /// Drops one trashed table and its log row; false when a restore or another purge took it meanwhile.
    private static func drop(_ table: TrashedTable, cutoffSeconds: String, connection: PostgresConnection) throws(ToolError) -> Bool {
        try connection.ddlQuery("SELECT pg_catalog.set_config('lock_timeout', $1, true)", ["\(lockTimeoutMilliseconds)ms"])
        try TrashSchema.lock(connection)
        let still = try connection.ddlQuery("""
            SELECT 1 FROM \(TrashSchema.log) WHERE trashed_name = $1 AND trashed_at < pg_catalog.to_timestamp($2::float8)
            """, [table.trashedName, cutoffSeconds])
        guard still.count > 0 else { return false }
        // No CASCADE: whatever still depends on a trashed table is the user's, and keeps it.
        try connection.ddlQuery("DROP TABLE IF EXISTS \(SQLIdentifier.quote(TrashSchema.name)).\(SQLIdentifier.quote(table.trashedName))")
        try connection.ddlQuery("DELETE FROM \(TrashSchema.log) WHERE trashed_name = $1", [table.trashedName])
        return true
    }
}

/// What a trash purge dropped (or, in a dry run, would drop) and what it could not.
public struct TrashPurgeResult: Sendable {
    /// The tables dropped, oldest first.
    public let dropped: [TrashedTable]
    /// The tables kept because dropping them failed, with why.
    public let failed: [(table: TrashedTable, error: ToolError)]
}

/// One table in the trash, as its log row describes it.
public struct TrashedTable: Sendable, Equatable {
    /// Its name in the `pgassist_trash` schema.
    public let trashedName: String
    /// The schema it was dropped from.
    public let originalSchema: String
    /// Its name before it was dropped.
    public let originalName: String
    /// When it was trashed, ISO 8601 in UTC to the second.
    public let trashedAt: String
}
