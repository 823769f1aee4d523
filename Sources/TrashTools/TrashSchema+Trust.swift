import Postgres
import ToolsCore

extension TrashSchema {
    /// The privileges on a log that would let another role change what restore reads back.
    static let logWritePrivileges = ["INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES", "MAINTAIN"]

    /// Fails with `trash_not_trusted` unless the trash is pgassist's own: the schema, `trash_log` and
    /// `restore_log` (those that exist) are owned by the role pgassist connects as (`current_user`), the logs
    /// are plain tables, no other role (PUBLIC included) may create objects in the schema, and none may
    /// write to the logs. Restore reads definitions and owners back from the log, and a move puts a table
    /// into the schema: both are only safe in a trash no one else controls.
    static func verify(_ connection: PostgresConnection) throws(ToolError) {
        let problems = try connection.ddlQuery("""
            WITH me AS (SELECT r.oid, r.rolname FROM pg_catalog.pg_roles r WHERE r.rolname = CURRENT_USER),
            trash AS (SELECT n.oid, n.nspowner, n.nspacl FROM pg_catalog.pg_namespace n WHERE n.nspname = $1),
            logs AS (
                SELECT c.relname, c.relkind, c.relowner, c.relacl FROM pg_catalog.pg_class c, trash
                WHERE c.relnamespace = trash.oid AND c.relname IN ($2, $3))
            SELECT 'the schema ' || $1 || ' is owned by ' || pg_catalog.pg_get_userbyid(trash.nspowner)
            FROM trash, me WHERE trash.nspowner <> me.oid
            UNION ALL
            SELECT CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee) END
                   || ' may create objects in the schema ' || $1
            FROM trash, me, pg_catalog.aclexplode(trash.nspacl) a
            WHERE a.privilege_type = 'CREATE' AND a.grantee <> me.oid
            UNION ALL
            SELECT $1 || '.' || logs.relname || ' is owned by ' || pg_catalog.pg_get_userbyid(logs.relowner)
            FROM logs, me WHERE logs.relowner <> me.oid
            UNION ALL
            SELECT $1 || '.' || logs.relname || ' is not a plain table' FROM logs WHERE logs.relkind <> 'r'
            UNION ALL
            SELECT DISTINCT CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee) END
                   || ' may write to ' || $1 || '.' || logs.relname
            FROM logs, me, pg_catalog.aclexplode(logs.relacl) a
            WHERE a.privilege_type = ANY ($4::text[]) AND a.grantee <> me.oid
            """, [name, logTable, restoreLogTable, "{" + logWritePrivileges.joined(separator: ",") + "}"])
        guard problems.count > 0 else { return }
        let found = (0..<problems.count).compactMap { problems.string($0, 0) }
        let role = try connection.ddlQuery("SELECT CURRENT_USER::text").string(0, 0) ?? "the role pgassist connects as"
        throw ToolError(.trashNotTrusted, """
            pgassist will not use the trash schema \(name): it must belong to \(role) alone, and \
            \(found.joined(separator: "; ")). Nothing was changed. A superuser should inspect it (it may hold trashed \
            tables), then either drop it (DROP SCHEMA \(name) CASCADE) so pgassist creates its own, or give the schema \
            and its logs to \(role) (ALTER SCHEMA … OWNER TO, ALTER TABLE … OWNER TO) and revoke the other roles' \
            privileges on them.
            """, details: ["problems": .array(found.map { .string($0) })])
    }

    /// Whether the trash exists and is pgassist's own; throws `trash_not_trusted` when it exists and is not.
    static func existsTrusted(_ connection: PostgresConnection) throws(ToolError) -> Bool {
        let schema = try connection.ddlQuery("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", [name])
        guard schema.count > 0 else { return false }
        try verify(connection)
        return try exists(connection)
    }
}
