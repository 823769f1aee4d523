import JSON
import Postgres
import ToolsCore

/// The catalog query behind `get_schema`: everything about one relation in a single round trip,
/// each part built as JSON by the server (`json_agg`) and read back here.
enum TableDetailsQuery {
    /// Partitions listed for a partitioned table; the rest are counted.
    static let partitionLimit = 200

    /// The details of `relation`, nulls dropped (an absent key means "none").
    ///
    /// Deparsing defaults, constraints, indexes and view definitions takes a share lock on the
    /// relation, so a relation that a schema change holds waits for the tool's lock timeout.
    static func run(_ relation: RelationResolver.Resolved,
                    on connection: PostgresConnection) throws(ToolError) -> [String: JSONValue] {
        let result: PostgresResult
        do {
            result = try connection.query(sql, [relation.oid])
        } catch where error.sqlState == "55P03" {
            throw ToolError(.sqlTimeout, """
                \(relation.schema).\(relation.name) (or a table it uses) is locked by another session, such as a \
                schema change or a long transaction; try again in a moment.
                """)
        } catch {
            throw ToolError.from(error)
        }
        guard result.count == 1 else {
            throw ToolError(.relationNotFound, "The relation was dropped while it was being read; call list_tables again.")
        }
        var details: [String: JSONValue] = [:]
        for (index, column) in result.columns.enumerated() {
            let text = result.string(0, index)
            switch column.name {
            case "comment", "definition", "partitionKey":
                details[column.name] = text.map(JSONValue.string) ?? .null
            case "estimatedRows", "partitionCount":
                details[column.name] = result.int(0, index).map { .number(Double($0)) } ?? .null
            case "rlsEnabled", "rlsForced":
                details[column.name] = result.bool(0, index).map(JSONValue.bool) ?? .null
            default:
                details[column.name] = CatalogQueries.parseJSON(text)
            }
        }
        return CatalogQueries.droppingNulls(.object(details)).objectValue ?? [:]
    }

    /// The column names of the key `keys` (an int2vector/int2[] of attnums) of relation `relation`, in key order.
    private static func keyColumns(_ relation: String, _ keys: String) -> String {
        """
        (SELECT pg_catalog.json_agg(a.attname ORDER BY k.ord)
           FROM pg_catalog.unnest(\(keys)) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_catalog.pg_attribute a ON a.attrelid = \(relation) AND a.attnum = k.attnum)
        """
    }

    /// A foreign key action letter as SQL spells it.
    private static func action(_ letter: String) -> String {
        """
        CASE \(letter) WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE'
                       WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END
        """
    }

    /// Parameter: $1, the relation's oid.
    package static let sql = """
        SELECT
          pg_catalog.obj_description(c.oid, 'pg_class') AS "comment",
          \(CatalogQueries.estimatedRows) AS "estimatedRows",
          (SELECT pg_catalog.json_agg(pg_catalog.json_build_object(
                    'name', a.attname,
                    'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
                    'nullable', NOT a.attnotnull,
                    'default', CASE WHEN a.attgenerated = '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END,
                    'identity', CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END,
                    'generated', CASE WHEN a.attgenerated <> '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END,
                    'enumValues', (SELECT pg_catalog.json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e
                                    WHERE e.enumtypid = CASE WHEN t.typtype = 'e' THEN t.oid ELSE t.typelem END),
                    'domainOf', CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END,
                    'comment', pg_catalog.col_description(a.attrelid, a.attnum)
                  ) ORDER BY a.attnum)
             FROM pg_catalog.pg_attribute a
             JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
             LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS "columns",
          (SELECT pg_catalog.json_build_object('name', con.conname, 'columns', \(keyColumns("con.conrelid", "con.conkey")))
             FROM pg_catalog.pg_constraint con
            WHERE con.conrelid = c.oid AND con.contype = 'p') AS "primaryKey",
          (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_object('name', con.conname, 'columns', \(keyColumns("con.conrelid", "con.conkey")))
                                    ORDER BY con.conname), '[]')
             FROM pg_catalog.pg_constraint con
            WHERE con.conrelid = c.oid AND con.contype = 'u') AS "uniqueConstraints",
          (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_object('name', con.conname,
                                                      'definition', pg_catalog.pg_get_constraintdef(con.oid, true))
                                    ORDER BY con.conname), '[]')
             FROM pg_catalog.pg_constraint con
            WHERE con.conrelid = c.oid AND con.contype = 'c') AS "checkConstraints",
          -- Outgoing keys; skip copies made for each partition of the referenced table.
          (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
                    'name', con.conname,
                    'columns', \(keyColumns("con.conrelid", "con.conkey")),
                    'references', pg_catalog.json_build_object('schema', fn.nspname, 'table', fc.relname,
                                                    'columns', \(keyColumns("con.confrelid", "con.confkey"))),
                    'onDelete', \(action("con.confdeltype")),
                    'onUpdate', \(action("con.confupdtype"))
                  ) ORDER BY con.conname), '[]')
             FROM pg_catalog.pg_constraint con
             JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
             JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
            WHERE con.conrelid = c.oid AND con.contype = 'f'
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint parent
                               WHERE parent.oid = con.conparentid AND parent.conrelid = con.conrelid)) AS "foreignKeys",
          -- Incoming keys; skip copies made for each partition of the referencing table.
          (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
                    'name', con.conname,
                    'from', pg_catalog.json_build_object('schema', rn.nspname, 'table', rc.relname,
                                              'columns', \(keyColumns("con.conrelid", "con.conkey"))),
                    'columns', \(keyColumns("con.confrelid", "con.confkey")),
                    'onDelete', \(action("con.confdeltype")),
                    'onUpdate', \(action("con.confupdtype"))
                  ) ORDER BY rn.nspname, rc.relname, con.conname), '[]')
             FROM pg_catalog.pg_constraint con
             JOIN pg_catalog.pg_class rc ON rc.oid = con.conrelid
             JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
            WHERE con.confrelid = c.oid AND con.contype = 'f'
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint parent
                               WHERE parent.oid = con.conparentid AND parent.confrelid = con.confrelid)) AS "referencedBy",
          (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
                    'name', ic.relname,
                    'definition', pg_catalog.pg_get_indexdef(x.indexrelid),
                    'unique', x.indisunique,
                    'primary', x.indisprimary,
                    'valid', CASE WHEN NOT x.indisvalid THEN false END
                  ) ORDER BY ic.relname), '[]')
             FROM pg_catalog.pg_index x
             JOIN pg_catalog.pg_class ic ON ic.oid = x.indexrelid
            WHERE x.indrelid = c.oid) AS "indexes",
          c.relrowsecurity AS "rlsEnabled",
          c.relforcerowsecurity AS "rlsForced",
          (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
                    'name', p.polname,
                    'command', CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                                             WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
                    'roles', (SELECT pg_catalog.json_agg(CASE WHEN r.role = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r.role)::text END
                                              ORDER BY r.ord)
                                FROM pg_catalog.unnest(p.polroles) WITH ORDINALITY AS r(role, ord)),
                    'using', pg_catalog.pg_get_expr(p.polqual, p.polrelid),
                    'withCheck', pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid),
                    'permissive', p.polpermissive
                  ) ORDER BY p.polname), '[]')
             FROM pg_catalog.pg_policy p
            WHERE p.polrelid = c.oid) AS "policies",
          (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_object(
                    'name', tg.tgname,
                    'definition', pg_catalog.pg_get_triggerdef(tg.oid, true),
                    'enabled', tg.tgenabled <> 'D'
                  ) ORDER BY tg.tgname), '[]')
             FROM pg_catalog.pg_trigger tg
            WHERE tg.tgrelid = c.oid AND NOT tg.tgisinternal) AS "triggers",
          CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid, true) END AS "definition",
          CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS "partitionKey",
          CASE WHEN c.relkind = 'p' THEN
            (SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_object('schema', part.nspname, 'name', part.relname, 'bound', part.bound)
                                      ORDER BY part.nspname, part.relname), '[]')
               FROM (SELECT pn.nspname, pc.relname, pg_catalog.pg_get_expr(pc.relpartbound, pc.oid) AS bound
                       FROM pg_catalog.pg_inherits i
                       JOIN pg_catalog.pg_class pc ON pc.oid = i.inhrelid
                       JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
                      WHERE i.inhparent = c.oid
                      ORDER BY pn.nspname, pc.relname
                      LIMIT \(partitionLimit)) AS part)
          END AS "partitions",
          CASE WHEN c.relkind = 'p' THEN
            (SELECT pg_catalog.count(*) FROM pg_catalog.pg_inherits i WHERE i.inhparent = c.oid)
          END AS "partitionCount",
          CASE WHEN c.relispartition THEN
            (SELECT pg_catalog.json_build_object('schema', pn.nspname, 'name', pc.relname,
                                      'bound', pg_catalog.pg_get_expr(c.relpartbound, c.oid))
               FROM pg_catalog.pg_inherits i
               JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent
               JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
              WHERE i.inhrelid = c.oid)
          END AS "partitionOf"
        FROM pg_catalog.pg_class c
        WHERE c.oid = $1::oid
        """
}
