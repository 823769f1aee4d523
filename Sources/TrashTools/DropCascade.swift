import JSON
import Postgres
import ToolsCore

/// Everything `DROP TABLE … CASCADE` would remove besides the table itself, read from `pg_depend`
/// recursively as PostgreSQL's own dependency walk does it: views and materialized views (through their
/// rewrite rules), foreign keys, policies (on other tables too), functions whose signature or return type uses
/// the table's row type, inheriting tables, columns of other tables typed with the row type, triggers,
/// owned sequences, and whatever depends on those in turn. The table's own plumbing (indexes, its own
/// constraints, column defaults, row type, TOAST) is left out: it obviously goes with it.
struct DropCascade: Equatable {
    /// One object that would be removed.
    struct Object: Equatable {
        /// `view`, `materialized_view`, `table`, `foreign_key`, `policy`, `function`, `column`, `trigger`,
        /// `sequence`, `type`, …: `pg_identify_object`'s type with spaces as `_`.
        let type: String
        let schema: String
        /// `pg_identify_object`'s identity, e.g. `public.f(public.t)` or `p on public.other`.
        let identity: String
        /// Whether it belongs to the table itself (its triggers, policies, owned sequences): removed even without cascade.
        let own: Bool
        /// For a table (an inheriting child), its rows, counted up to `DropImpact.countCap`.
        var rows: Int64? = nil

        /// `view public.v`, for messages.
        var display: String { String(type.map { $0 == "_" ? " " : $0 }) + " " + identity }

        /// `{type, schema, identity[, rows]}`: what the user is shown.
        var summary: JSONValue {
            var object: [String: JSONValue] = ["type": .string(type), "schema": .string(schema), "identity": .string(identity)]
            if let rows { object["rows"] = .number(Double(rows)) }
            return .object(object)
        }
    }

    let objects: [Object]

    /// The objects that do not belong to the table: with any of them, dropping needs `cascade`.
    var external: [Object] { objects.filter { !$0.own } }

    /// Reads the cascade of the table with OID `oid`.
    static func find(oid: String, connection: PostgresConnection) throws(ToolError) -> DropCascade {
        let rows = try connection.ddlQuery(cascadeSQL, [oid])
        var objects: [Object] = []
        for row in 0..<rows.count {
            objects.append(try object(rows, row: row, connection: connection))
        }
        return DropCascade(objects: objects)
    }

    /// The objects that depend on the table `$1`, recursively, with whether each belongs to the table, the
    /// constraint type of a constraint and the kind and OID of a relation; the table's own plumbing left out.
    private static let cascadeSQL = """
        WITH RECURSIVE found (classid, objid, objsubid, own) AS (
            SELECT d.classid, d.objid, d.objsubid, d.deptype IN ('a', 'i')
            FROM pg_catalog.pg_depend d
            WHERE d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = $1::oid
              AND d.deptype IN ('n', 'a', 'i')
            UNION
            SELECT x.classid, x.objid, x.objsubid, f.own AND x.internal
            FROM found f
            CROSS JOIN LATERAL (
                -- What depends on it (on a dropped column: what depends on that column) ...
                SELECT d.classid, d.objid, d.objsubid, d.deptype IN ('a', 'i') AS internal
                FROM pg_catalog.pg_depend d
                WHERE d.refclassid = f.classid AND d.refobjid = f.objid
                  AND (f.objsubid = 0 OR d.refobjsubid = f.objsubid) AND d.deptype IN ('n', 'a', 'i')
                UNION ALL
                -- ... and what it is an internal part of (a view's rewrite rule takes the view with it).
                SELECT d.refclassid, d.refobjid, 0, true
                FROM pg_catalog.pg_depend d
                WHERE d.classid = f.classid AND d.objid = f.objid AND d.deptype = 'i'
            ) x
            WHERE NOT (x.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND x.objid = $1::oid)
        ),
        objects AS (
            SELECT f.classid, f.objid, f.objsubid, pg_catalog.bool_and(f.own) AS own FROM found f
            GROUP BY f.classid, f.objid, f.objsubid
        ),
        dropped AS (
            SELECT $1::oid AS oid
            UNION SELECT o.objid FROM objects o
            WHERE o.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND o.objsubid = 0
        )
        SELECT i.type, COALESCE(i.schema, ''), i.identity, o.own,
               (SELECT con.contype::text FROM pg_catalog.pg_constraint con
                WHERE o.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND con.oid = o.objid),
               (SELECT c.relkind::text FROM pg_catalog.pg_class c
                WHERE o.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND o.objsubid = 0 AND c.oid = o.objid),
               o.objid::text
        FROM objects o
        CROSS JOIN LATERAL pg_catalog.pg_identify_object(o.classid, o.objid, o.objsubid) i
        -- Rules of relations that go anyway (a view's own) are not listed; a rule on another table is.
        WHERE NOT (o.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND EXISTS (
                SELECT 1 FROM pg_catalog.pg_rewrite rw WHERE rw.oid = o.objid AND rw.ev_class IN (SELECT oid FROM dropped)))
          AND COALESCE(i.schema, '') NOT LIKE 'pg\\_toast%'
          AND NOT (o.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND o.objsubid = 0 AND EXISTS (
                SELECT 1 FROM pg_catalog.pg_index x WHERE x.indexrelid = o.objid AND x.indrelid IN (SELECT oid FROM dropped)))
          AND NOT (o.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND o.objsubid > 0 AND o.objid IN (SELECT oid FROM dropped))
          AND NOT (o.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass AND EXISTS (
                SELECT 1 FROM pg_catalog.pg_constraint con WHERE con.oid = o.objid AND con.conrelid IN (SELECT oid FROM dropped)))
          AND NOT (o.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass AND EXISTS (
                SELECT 1 FROM pg_catalog.pg_trigger tg WHERE tg.oid = o.objid
                AND (tg.tgisinternal OR (tg.tgrelid IN (SELECT oid FROM dropped) AND tg.tgrelid <> $1::oid))))
          AND NOT (o.classid = 'pg_catalog.pg_policy'::pg_catalog.regclass AND EXISTS (
                SELECT 1 FROM pg_catalog.pg_policy po WHERE po.oid = o.objid
                AND po.polrelid IN (SELECT oid FROM dropped) AND po.polrelid <> $1::oid))
          AND NOT (o.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass AND EXISTS (
                SELECT 1 FROM pg_catalog.pg_attrdef ad WHERE ad.oid = o.objid AND ad.adrelid IN (SELECT oid FROM dropped)))
          AND NOT (o.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND EXISTS (
                SELECT 1 FROM pg_catalog.pg_type t LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem
                WHERE t.oid = o.objid AND (t.typrelid IN (SELECT oid FROM dropped) OR e.typrelid IN (SELECT oid FROM dropped))))
        ORDER BY o.own DESC, i.type, i.identity
        """

    /// The object of one row of `cascadeSQL`, with the rows of an inheriting table counted.
    private static func object(_ rows: PostgresResult, row: Int, connection: PostgresConnection) throws(ToolError) -> Object {
        var type = String((rows.string(row, 0) ?? "object").map { $0 == " " ? "_" : $0 })
        if type == "table_constraint", rows.string(row, 4) == "f" { type = "foreign_key" }
        if type == "table_column" { type = "column" }
        var object = Object(type: type, schema: rows.string(row, 1) ?? "", identity: rows.string(row, 2) ?? "",
                            own: rows.bool(row, 3) == true)
        if let kind = rows.string(row, 5), kind == "r" || kind == "p", let child = rows.string(row, 6) {
            let counted = try connection.ddlQuery("""
                SELECT pg_catalog.count(*) FROM (SELECT 1 FROM ONLY \(try relationSQL(child, connection: connection)) LIMIT \(DropImpact.countCap)) AS sample
                """)
            object.rows = counted.int(0, 0)
        }
        return object
    }

    /// The relation with OID `oid` as quoted SQL, from the catalog.
    private static func relationSQL(_ oid: String, connection: PostgresConnection) throws(ToolError) -> String {
        let name = try connection.ddlQuery("""
            SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.oid = $1::oid
            """, [oid])
        return TableName(schema: name.string(0, 0) ?? "", name: name.string(0, 1) ?? "").sql
    }
}
