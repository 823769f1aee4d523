import Postgres
import ToolsCore

/// The catalog queries `QueryProbe` runs: every name in them qualified (they run with the user's
/// `search_path` in places), every operator spelled `OPERATOR(pg_catalog.…)`.
extension QueryProbe {
    /// Kind (`t` a type, `r` a relation) and OID of the candidates `checkInputTypes` follows: types named
    /// ($1), relations named ($2), argument and result types of user functions named as calls ($3) and of
    /// user operators ($4), and types named like what the query calls (a call can be a cast). Built-in functions
    /// and operators (in `pg_catalog`) have only built-in types.
    static let inputTypesQuery = """
        SELECT 't', pg_catalog.to_regtype(t)::pg_catalog.oid FROM pg_catalog.unnest($1::pg_catalog.text[]) AS t
        UNION
        SELECT 'r', pg_catalog.to_regclass(r)::pg_catalog.oid FROM pg_catalog.unnest($2::pg_catalog.text[]) AS r
        UNION
        -- A call of one argument with no matching function is a cast to a type of that name: upper('{1}').
        SELECT 't', pg_catalog.to_regtype(pg_catalog.quote_ident(n))::pg_catalog.oid
        FROM pg_catalog.unnest($3::pg_catalog.text[]) AS n
        UNION
        SELECT 't', t FROM pg_catalog.pg_proc p,
             pg_catalog.unnest(coalesce(p.proallargtypes, p.proargtypes::pg_catalog.oid[])
                               OPERATOR(pg_catalog.||) p.prorettype) AS t
        WHERE p.proname OPERATOR(pg_catalog.=) ANY ($3::pg_catalog.text[])
          AND p.pronamespace OPERATOR(pg_catalog.<>) 'pg_catalog'::pg_catalog.regnamespace
        UNION
        SELECT 't', t FROM pg_catalog.pg_operator o, pg_catalog.unnest(ARRAY[o.oprleft, o.oprright, o.oprresult]) AS t
        WHERE o.oprname OPERATOR(pg_catalog.=) ANY ($4::pg_catalog.text[])
          AND o.oprnamespace OPERATOR(pg_catalog.<>) 'pg_catalog'::pg_catalog.regnamespace
          AND t OPERATOR(pg_catalog.<>) 0
        """

    /// The user functions (not an extension's) that the operator classes reachable from relations ($1) and
    /// types ($2) call, with the class's type: support functions and the operators' functions.
    static let operatorClassQuery = """
        WITH RECURSIVE relations(oid) AS (
            SELECT r FROM pg_catalog.unnest($1::pg_catalog.oid[]) AS r
            UNION
            SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN relations p ON i.inhparent OPERATOR(pg_catalog.=) p.oid
        ), types(oid) AS (
            SELECT a.atttypid FROM pg_catalog.pg_attribute a
            WHERE a.attrelid IN (SELECT oid FROM relations) AND a.attnum OPERATOR(pg_catalog.>) 0
            UNION
            SELECT t FROM pg_catalog.unnest($2::pg_catalog.oid[]) AS t
            UNION
            SELECT n.x FROM types s JOIN pg_catalog.pg_type y ON y.oid OPERATOR(pg_catalog.=) s.oid,
                 LATERAL (SELECT y.typbasetype UNION SELECT y.typelem
                          UNION SELECT a.atttypid FROM pg_catalog.pg_attribute a
                          WHERE a.attrelid OPERATOR(pg_catalog.=) y.typrelid AND a.attnum OPERATOR(pg_catalog.>) 0) AS n(x)
            WHERE n.x OPERATOR(pg_catalog.<>) 0
        ), classes(oid) AS (
            SELECT c.oid FROM types s
            JOIN pg_catalog.pg_opclass c ON c.opcintype OPERATOR(pg_catalog.=) s.oid AND c.opcdefault
            WHERE s.oid OPERATOR(pg_catalog.>=) 16384
            UNION
            SELECT pg_catalog.unnest(x.indclass::pg_catalog.oid[]) FROM pg_catalog.pg_index x
            WHERE x.indrelid IN (SELECT oid FROM relations)
            UNION
            SELECT pg_catalog.unnest(p.partclass::pg_catalog.oid[]) FROM pg_catalog.pg_partitioned_table p
            WHERE p.partrelid IN (SELECT oid FROM relations)
        )
        SELECT DISTINCT fn.nspname::pg_catalog.text, f.proname::pg_catalog.text,
               pg_catalog.format_type(c.opcintype, NULL)
        FROM classes k
        JOIN pg_catalog.pg_opclass c ON c.oid OPERATOR(pg_catalog.=) k.oid
        JOIN LATERAL (SELECT ap.amproc AS fid FROM pg_catalog.pg_amproc ap
                      WHERE ap.amprocfamily OPERATOR(pg_catalog.=) c.opcfamily
                      UNION
                      SELECT o.oprcode FROM pg_catalog.pg_amop ao
                      JOIN pg_catalog.pg_operator o ON o.oid OPERATOR(pg_catalog.=) ao.amopopr
                      WHERE ao.amopfamily OPERATOR(pg_catalog.=) c.opcfamily) AS u ON true
        JOIN pg_catalog.pg_proc f ON f.oid OPERATOR(pg_catalog.=) u.fid
        JOIN pg_catalog.pg_namespace fn ON fn.oid OPERATOR(pg_catalog.=) f.pronamespace
        WHERE fn.nspname OPERATOR(pg_catalog.<>) 'pg_catalog'
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e
                          WHERE e.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                            AND e.objid OPERATOR(pg_catalog.=) f.oid AND e.deptype OPERATOR(pg_catalog.=) 'e')
        """

    static let userJSONCastQuery = """
        SELECT fn.nspname::pg_catalog.text OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) f.proname::pg_catalog.text
        FROM pg_catalog.pg_cast k
        JOIN pg_catalog.pg_proc f ON f.oid OPERATOR(pg_catalog.=) k.castfunc
        JOIN pg_catalog.pg_namespace fn ON fn.oid OPERATOR(pg_catalog.=) f.pronamespace
        WHERE k.casttarget IN ('pg_catalog.json'::pg_catalog.regtype, 'pg_catalog.jsonb'::pg_catalog.regtype)
          AND fn.nspname OPERATOR(pg_catalog.<>) 'pg_catalog'
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e
                          WHERE e.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                            AND e.objid OPERATOR(pg_catalog.=) f.oid AND e.deptype OPERATOR(pg_catalog.=) 'e')
        LIMIT 1
        """

    /// Kind, name, definition and OID of: views ($1), the SELECT policies of tables ($2) whatever roles they
    /// name (a view applies them as its owner), and the CHECK constraints of domains ($3).
    static let textsQuery = """
        SELECT 'view', c.oid::pg_catalog.regclass::pg_catalog.text, pg_catalog.pg_get_viewdef(c.oid), c.oid
        FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])
        UNION ALL
        SELECT 'policy', p.polname::pg_catalog.text, pg_catalog.pg_get_expr(p.polqual, p.polrelid), p.oid
        FROM pg_catalog.pg_policy p
        WHERE p.polrelid OPERATOR(pg_catalog.=) ANY ($2::pg_catalog.oid[]) AND p.polcmd IN ('r', '*')
          AND p.polqual IS NOT NULL
        UNION ALL
        SELECT 'constraint', k.conname::pg_catalog.text, pg_catalog.pg_get_constraintdef(k.oid), k.oid
        FROM pg_catalog.pg_constraint k
        WHERE k.contypid OPERATOR(pg_catalog.=) ANY ($3::pg_catalog.oid[]) AND k.contype OPERATOR(pg_catalog.=) 'c'
        """

    /// What the objects depend on, one row each: kind, OID, schema, name, then per kind a column name (a
    /// column read) or a range's canonical function, relkind or typtype, whether row security applies (for a
    /// relation) or the type is an array, (unused), and a composite type's relation. Sources: the rules of views ($1), the policies of tables ($2), the
    /// constraints of domains ($3), types ($4) and relations whose column types matter ($5); the types ($6)
    /// themselves; and for relations read ($7) and their partitions and inheriting tables: the tables
    /// themselves (partition keys, column types), their indexes, CHECK constraints and extended statistics,
    /// and the partitions and inheriting tables as relations read.
    static let dependenciesQuery = """
        WITH RECURSIVE family(oid) AS (
            SELECT r FROM pg_catalog.unnest($7::pg_catalog.oid[]) AS r
            UNION
            SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN family f ON i.inhparent OPERATOR(pg_catalog.=) f.oid
        ), views(classid, objid, owner) AS (
            -- A view reads its tables as its owner (unless security_invoker): their row-security policies
            -- apply to the owner, whatever they do for the login.
            SELECT 'pg_catalog.pg_rewrite'::pg_catalog.regclass::pg_catalog.oid, w.oid,
                   CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.unnest(v.reloptions) AS o(option)
                                     WHERE pg_catalog.lower(o.option) IN ('security_invoker=true', 'security_invoker=on',
                                                                           'security_invoker=1', 'security_invoker=yes'))
                        THEN NULL ELSE v.relowner END
            FROM pg_catalog.pg_rewrite w JOIN pg_catalog.pg_class v ON v.oid OPERATOR(pg_catalog.=) w.ev_class
            WHERE w.ev_class OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])
        ), sources(classid, objid) AS (
            SELECT classid, objid FROM views
            UNION ALL
            SELECT 'pg_catalog.pg_policy'::pg_catalog.regclass::pg_catalog.oid, p.oid FROM pg_catalog.pg_policy p
            WHERE p.polrelid OPERATOR(pg_catalog.=) ANY ($2::pg_catalog.oid[]) AND p.polcmd IN ('r', '*')
            UNION ALL
            SELECT 'pg_catalog.pg_constraint'::pg_catalog.regclass::pg_catalog.oid, k.oid FROM pg_catalog.pg_constraint k
            WHERE k.contypid OPERATOR(pg_catalog.=) ANY ($3::pg_catalog.oid[])
            UNION ALL
            SELECT 'pg_catalog.pg_type'::pg_catalog.regclass::pg_catalog.oid, t FROM pg_catalog.unnest($4::pg_catalog.oid[]) AS t
            UNION ALL
            SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, r FROM pg_catalog.unnest($5::pg_catalog.oid[]) AS r
            UNION ALL
            SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, f.oid FROM family f
            UNION ALL
            SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, x.indexrelid
            FROM pg_catalog.pg_index x JOIN family f ON x.indrelid OPERATOR(pg_catalog.=) f.oid
            UNION ALL
            SELECT 'pg_catalog.pg_constraint'::pg_catalog.regclass::pg_catalog.oid, k.oid
            FROM pg_catalog.pg_constraint k JOIN family f ON k.conrelid OPERATOR(pg_catalog.=) f.oid
            WHERE k.contype OPERATOR(pg_catalog.=) 'c'
            UNION ALL
            SELECT 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass::pg_catalog.oid, x.oid
            FROM pg_catalog.pg_statistic_ext x JOIN family f ON x.stxrelid OPERATOR(pg_catalog.=) f.oid
        ), refs AS (
            SELECT DISTINCT d.refclassid, d.refobjid, d.refobjsubid, s.classid AS from_class, vw.owner AS via_owner
            FROM pg_catalog.pg_depend d
            JOIN sources s ON s.classid OPERATOR(pg_catalog.=) d.classid AND s.objid OPERATOR(pg_catalog.=) d.objid
            LEFT JOIN views vw ON vw.classid OPERATOR(pg_catalog.=) s.classid AND vw.objid OPERATOR(pg_catalog.=) s.objid
            WHERE NOT (d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                       AND d.refobjid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[]))
            UNION
            SELECT 'pg_catalog.pg_type'::pg_catalog.regclass::pg_catalog.oid, t, 0, 'pg_catalog.pg_type'::pg_catalog.regclass::pg_catalog.oid,
                   NULL::pg_catalog.oid
            FROM pg_catalog.unnest($6::pg_catalog.oid[]) AS t
            UNION
            -- Partitions and inheriting tables are read with their parent.
            SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, f.oid, 0,
                   'pg_catalog.pg_rewrite'::pg_catalog.regclass::pg_catalog.oid, NULL::pg_catalog.oid
            FROM family f
        )
        SELECT CASE r.refclassid
                 WHEN 'pg_catalog.pg_proc'::pg_catalog.regclass THEN 'function'
                 WHEN 'pg_catalog.pg_operator'::pg_catalog.regclass THEN 'operator'
                 WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN
                   CASE WHEN r.from_class IN ('pg_catalog.pg_class'::pg_catalog.regclass,
                                              'pg_catalog.pg_constraint'::pg_catalog.regclass,
                                              'pg_catalog.pg_statistic_ext'::pg_catalog.regclass)
                        THEN 'ignored' ELSE 'relation' END
                 WHEN 'pg_catalog.pg_type'::pg_catalog.regclass THEN 'type'
                 WHEN 'pg_catalog.pg_namespace'::pg_catalog.regclass THEN 'ignored'
                 WHEN 'pg_catalog.pg_collation'::pg_catalog.regclass THEN 'ignored'
                 WHEN 'pg_catalog.pg_ts_config'::pg_catalog.regclass THEN 'ignored'
                 WHEN 'pg_catalog.pg_ts_dict'::pg_catalog.regclass THEN 'ignored'
                 WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN 'ignored'
                 WHEN 'pg_catalog.pg_opclass'::pg_catalog.regclass THEN 'ignored'
                 WHEN 'pg_catalog.pg_opfamily'::pg_catalog.regclass THEN 'ignored'
                 WHEN 'pg_catalog.pg_extension'::pg_catalog.regclass THEN 'ignored'
                 WHEN 'pg_catalog.pg_authid'::pg_catalog.regclass THEN 'ignored'
                 ELSE r.refclassid::pg_catalog.regclass::pg_catalog.text END,
               r.refobjid,
               coalesce(pn.nspname, cn.nspname, tn.nspname, opn.nspname)::pg_catalog.text,
               coalesce(p.proname, c.relname, t.typname, op.oprname)::pg_catalog.text,
               coalesce(a.attname::pg_catalog.text, rn.nspname::pg_catalog.text OPERATOR(pg_catalog.||) '.'
                        OPERATOR(pg_catalog.||) rp.proname::pg_catalog.text),
               coalesce(c.relkind::pg_catalog.text, t.typtype::pg_catalog.text),
               CASE WHEN c.relkind IN ('r', 'p') AND c.relrowsecurity THEN
                      pg_catalog.row_security_active(c.oid)
                      OR (r.via_owner IS NOT NULL
                          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles o
                                          WHERE o.oid OPERATOR(pg_catalog.=) r.via_owner AND (o.rolsuper OR o.rolbypassrls))
                          AND (c.relowner OPERATOR(pg_catalog.<>) r.via_owner OR c.relforcerowsecurity))
                    ELSE t.typelem OPERATOR(pg_catalog.<>) 0 AND t.typlen OPERATOR(pg_catalog.=) -1 END,
               NULL::pg_catalog.text,
               t.typrelid
        FROM refs r
        LEFT JOIN pg_catalog.pg_proc p ON r.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
             AND p.oid OPERATOR(pg_catalog.=) r.refobjid
        LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid OPERATOR(pg_catalog.=) p.pronamespace
        LEFT JOIN pg_catalog.pg_class c ON r.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
             AND c.oid OPERATOR(pg_catalog.=) r.refobjid
        LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) c.relnamespace
        LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid
             AND a.attnum OPERATOR(pg_catalog.=) r.refobjsubid AND r.refobjsubid OPERATOR(pg_catalog.>) 0
        LEFT JOIN pg_catalog.pg_type t ON r.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass
             AND t.oid OPERATOR(pg_catalog.=) r.refobjid
        LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid OPERATOR(pg_catalog.=) t.typnamespace
        LEFT JOIN pg_catalog.pg_range rg ON rg.rngtypid OPERATOR(pg_catalog.=) t.oid
        LEFT JOIN pg_catalog.pg_proc rp ON rp.oid OPERATOR(pg_catalog.=) rg.rngcanonical
        LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid OPERATOR(pg_catalog.=) rp.pronamespace
        LEFT JOIN pg_catalog.pg_operator op ON r.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_operator'::pg_catalog.regclass
             AND op.oid OPERATOR(pg_catalog.=) r.refobjid
        LEFT JOIN pg_catalog.pg_namespace opn ON opn.oid OPERATOR(pg_catalog.=) op.oprnamespace
        """

    /// Runs `ddl` (the check's own temporary objects) without firing the database's event triggers, which are
    /// user code and may have effects a rollback does not undo (a sequence, a file): where the login may set
    /// `session_replication_role` (a superuser), it is `replica` for `ddl` alone, so triggers enabled for
    /// the origin (the default) stay quiet. Other logins cannot; the README says so.
    static func withoutEventTriggers(_ connection: PostgresConnection, _ ddl: () throws(PostgresError) -> Void) throws(PostgresError) {
        let superuser = try connection.query("SELECT pg_catalog.current_setting('is_superuser')")
        let quiet = superuser.count == 1 && superuser.string(0, 0) == "on"
        if quiet { _ = try connection.query("SELECT pg_catalog.set_config('session_replication_role', 'replica', true)") }
        try ddl()
        if quiet { _ = try connection.query("SET LOCAL session_replication_role TO DEFAULT") }
    }

    /// `{"a","b\"c"}`: a text[] literal with every element quoted.
    static func textArray(_ values: Set<String>) -> String {
        "{" + values.sorted().map { value in
            "\"" + value.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\""
        }.joined(separator: ",") + "}"
    }
}
