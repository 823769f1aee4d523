import JSON
import Postgres
import ToolsCore

/// One row of the trash log: a table `drop_table` moved to the trash, and what restoring it must recreate.
/// Who trashed it is pgassist's store's word (`TrashRecordStore`), not the log's.
struct TrashEntry {
    /// The table's name inside `pgassist_trash`.
    let trashedName: String
    /// The copy, as pgassist's store names it.
    let key: TrashedCopyKey
    /// The user the log names; shown in the restore log only, never trusted to decide approval.
    let loggedBy: String
    /// When, as ISO 8601 UTC (`2026-11-25T03:15:00Z`).
    let trashedAt: String
    let views: [DependentView]
    let foreignKeys: [DependentForeignKey]
    /// The table's user triggers, disabled while it is in the trash.
    let triggers: [TrashedTrigger]
    /// Indexes and sequences renamed on the way in: kind, original name, name in the trash.
    let renamed: [(kind: String, original: String, trashed: String)]

    /// `{trashedAs, trashedBy, trashedAt, dependents}`: what a user is shown before restoring someone else's copy;
    /// `trashedBy` is null when pgassist's store has no record of the copy.
    func impact(trashedBy: String?) -> JSONValue {
        .object(["trashedAs": .string("\(TrashSchema.name).\(trashedName)"), "trashedBy": trashedBy.map(JSONValue.string) ?? .null,
                 "trashedAt": .string(trashedAt),
                 "dependents": .array(foreignKeys.map(\.summary) + views.map(\.summary))])
    }

    /// The entry for `table` named `trashedName`, or else the newest copy `userId` trashed, or else the newest
    /// copy anyone trashed; locked for the rest of the transaction. Nil when the trash holds none.
    package static func find(_ table: TableName, trashedName: String?, preferring userId: String,
                     connection: PostgresConnection) throws(ToolError) -> TrashEntry? {
        let result = try connection.ddlQuery("""
            SELECT l.trashed_name, l.trashed_by,
                   pg_catalog.to_char(l.trashed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                   l.views::text, l.foreign_keys::text, l.renamed::text, l.triggers::text, c.oid::text,
                   pg_catalog.current_database()::text
            FROM \(TrashSchema.log) l
            JOIN pg_catalog.pg_class c ON c.relname = l.trashed_name
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = $3
            WHERE l.original_schema = $1 AND l.original_name = $2 AND ($4::text IS NULL OR l.trashed_name = $4::text)
            ORDER BY l.trashed_by = $5 DESC, l.trashed_at DESC, l.trashed_name DESC
            LIMIT 1
            FOR UPDATE OF l
            """, [table.schema, table.name, TrashSchema.name, trashedName, userId])
        guard result.count == 1, let name = result.string(0, 0) else { return nil }
        func parse(_ column: Int) -> [JSONValue] {
            result.string(0, column).flatMap { try? JSONValue.parse($0) }?.arrayValue ?? []
        }
        return TrashEntry(trashedName: name,
                          key: TrashedCopyKey(database: result.string(0, 8) ?? "", tableOid: result.string(0, 7) ?? "",
                                              trashedName: name),
                          loggedBy: result.string(0, 1) ?? "", trashedAt: result.string(0, 2) ?? "",
                          views: parse(3).compactMap(DependentView.init(record:)),
                          foreignKeys: parse(4).compactMap(DependentForeignKey.init(record:)),
                          triggers: parse(6).compactMap(TrashedTrigger.init(record:)),
                          renamed: parse(5).compactMap { item in
                              guard let kind = item["kind"]?.stringValue, let original = item["original"]?.stringValue,
                                    let trashed = item["trashed"]?.stringValue else { return nil }
                              return (kind, original, trashed)
                          })
    }
}
