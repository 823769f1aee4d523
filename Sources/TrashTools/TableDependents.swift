import JSON
import Postgres
import ToolsCore

/// What stops a table from simply going away: views that read from it (also through other views)
/// and foreign keys of other tables that reference it; and its own foreign keys, which a trashed copy must not keep.
struct TableDependents: Equatable {
    /// Views in creation order: each comes after the views it reads from.
    let views: [DependentView]
    let foreignKeys: [DependentForeignKey]
    /// The table's own foreign keys to other tables: dropped while it is in the trash (so deletes in the
    /// referenced tables are neither blocked by nor cascade into trashed rows) and added back on restore.
    /// They never need `cascade`.
    let outgoingForeignKeys: [DependentForeignKey]

    /// Whether nothing depends on the table (its own foreign keys do not count).
    var isEmpty: Bool { views.isEmpty && foreignKeys.isEmpty }

    /// `{type, schema, name[, table]}` for each, foreign keys first.
    var summaries: [JSONValue] { foreignKeys.map(\.summary) + views.map(\.summary) }

    /// `schema.name` of each, for messages.
    package var names: [String] {
        foreignKeys.map { "foreign key \($0.name) on \($0.schema).\($0.table)" }
            + views.map { "\($0.isMaterialized ? "materialized view" : "view") \($0.schema).\($0.name)" }
    }

    /// The schemas they live in.
    var schemas: Set<String> { Set(views.map(\.schema) + foreignKeys.map(\.schema)) }

    /// Reads the dependents of the table with OID `oid`. Sets an empty `search_path` for the rest of the
    /// transaction, so definitions come out schema-qualified (and are later replayed the same way).
    package static func find(oid: String, connection: PostgresConnection) throws(ToolError) -> TableDependents {
        _ = try connection.ddlQuery("SELECT pg_catalog.set_config('search_path', '', true)")
        let views = try connection.ddlQuery(dependentViewsSQL, [oid])
        return TableDependents(
            views: (0..<views.count).map { dependentView(views, row: $0) },
            foreignKeys: try DependentForeignKey.find(.referencing, oid: oid, connection: connection),
            outgoingForeignKeys: try DependentForeignKey.find(.outgoing, oid: oid, connection: connection))
    }

    /// The views that read from the table `$1`, directly or through other views (at most 32 deep), each with the
    /// depth of its longest path to the table, so that sorting by depth puts a view after those it reads from.
    private static let dependentViewsSQL = """
        WITH RECURSIVE dependent (oid, depth) AS (
            SELECT r.ev_class, 1
            FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
            WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
              AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
              AND d.refobjid = $1::oid AND r.ev_class <> $1::oid
            UNION
            SELECT r.ev_class, dependent.depth + 1
            FROM dependent
            JOIN pg_catalog.pg_depend d ON d.refobjid = dependent.oid
             AND d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
             AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
            JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
            WHERE r.ev_class <> dependent.oid AND dependent.depth < 32
        )
        , deepest AS (SELECT oid, pg_catalog.max(depth) AS depth FROM dependent GROUP BY oid)
        SELECT n.nspname, c.relname, c.relkind = 'm', pg_catalog.pg_get_viewdef(c.oid),
               COALESCE(c.reloptions, '{}'), deepest.depth,
               pg_catalog.pg_get_userbyid(c.relowner),
               CASE WHEN c.relacl IS NOT NULL THEN COALESCE((
                   SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                              'grantee', CASE WHEN a.grantee = 0 THEN '' ELSE pg_catalog.pg_get_userbyid(a.grantee) END,
                              'privilege', a.privilege_type, 'grantable', a.is_grantable)
                          ORDER BY a.grantee, a.privilege_type)
                   FROM pg_catalog.aclexplode(c.relacl) a), '[]')::text END,
               pg_catalog.obj_description(c.oid, 'pg_class'),
               (SELECT pg_catalog.json_agg(pg_catalog.json_build_array(a.attname, d.description) ORDER BY a.attnum)
                FROM pg_catalog.pg_attribute a
                JOIN pg_catalog.pg_description d ON d.objoid = c.oid AND d.objsubid = a.attnum
                 AND d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
                WHERE a.attrelid = c.oid AND a.attnum > 0)::text
        FROM deepest
        JOIN pg_catalog.pg_class c ON c.oid = deepest.oid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('v', 'm')
        ORDER BY deepest.depth, n.nspname, c.relname
        """

    /// The view of one row of `dependentViewsSQL`.
    private static func dependentView(_ views: PostgresResult, row: Int) -> DependentView {
        let options: [String]
        if case .array(let values) = views.value(row, 4) {
            options = values.compactMap { if case .text(let text) = $0 { text } else { nil } }
        } else {
            options = []
        }
        var view = DependentView(schema: views.string(row, 0) ?? "", name: views.string(row, 1) ?? "",
                                 isMaterialized: views.bool(row, 2) == true, definition: views.string(row, 3) ?? "",
                                 options: options)
        view.owner = views.string(row, 6)
        view.grants = views.string(row, 7).map { text in
            ((try? JSONValue.parse(text))?.arrayValue ?? []).compactMap(ViewGrant.init(record:))
        }
        view.comment = views.string(row, 8)
        view.columnComments = ((views.string(row, 9).flatMap { try? JSONValue.parse($0) })?.arrayValue ?? [])
            .compactMap(DependentView.ColumnComment.init(pair:))
        return view
    }
}
