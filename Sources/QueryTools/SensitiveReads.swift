import JSON
import Postgres
import ToolsCore

/// The check that a stored query reads no sensitive column (`SensitiveColumns`) and nothing in the trash
/// schema, on what PostgreSQL recorded for it: a view's rewrite rule depends (`pg_depend`) on every column
/// it reads anywhere (select list, `*` and `t.*` expanded, conditions, ordering, grouping, joins, function
/// and aggregate arguments, subqueries, CTEs, laterals, set operations) with `refobjsubid` the column's
/// number, and on a relation it reads with no column named with `refobjsubid` 0. A whole-row reference (`u`,
/// `row_to_json(u)`, `u::text`) records no column of its own (and nothing at all when the query also names a
/// column of that table): it shows only in the stored tree, as a `Var` with `varattno 0`. So a definition that
/// holds any whole-row reference is taken to read every column of every relation it reads (this refuses a
/// whole row of an ordinary table beside a count of `auth.users`: safe, not precise). The relations a query
/// reads include, at run time, their partitions and inheriting tables: those are followed too (for the trash).
///
/// Refused (`sensitive_column`, naming the column, never a value), in the query and in every view and
/// materialized view it reaches (their definitions read what they read, whichever of their columns the query
/// takes):
/// - a reference to a sensitive column;
/// - any reference to a relation listed whole (`vault.decrypted_secrets`);
/// - a whole-row reference in a definition that reads a relation with a sensitive column, whichever columns of
///   it the definition names besides.
/// `count(*)` of such a table records the table alone and no whole-row reference: it reveals no value and is
/// allowed. Any relation in `pgassist_trash` is refused (`sql_not_read_only`, `relation_not_allowed`), and so is
/// any TOAST table (`pg_toast*`): it holds the long values of another table, secrets and trash rows included.
package enum SensitiveReads {
    /// Checks the stored query `view` (its name, e.g. `pg_temp.pgassist_query`) against `columns`.
    package static func check(view: String, columns: SensitiveColumns, connection: PostgresConnection) throws(ToolError) {
        let found: PostgresResult
        do throws(PostgresError) {
            found = try connection.query(query, [view] + columns.catalogParameters + [ProtectedSchemas.trash])
        } catch {
            throw ToolError.from(error)
        }
        guard found.count > 0 else { return }
        let kind = found.string(0, 0) ?? ""
        let schema = found.string(0, 1) ?? "", relation = found.string(0, 2) ?? "", column = found.string(0, 3)
        let table = "\(SQLIdentifier.quote(schema)).\(SQLIdentifier.quote(relation))"
        if kind == "toast" {
            throw ToolError(.sqlNotReadOnly, """
                reading \(table) is not allowed: TOAST tables hold other tables' long values (secrets and the \
                trash's rows included) without their rules; query the table itself.
                """, details: ["reason": .string("relation_not_allowed")])
        }
        if kind == "trash" {
            throw ToolError(.sqlNotReadOnly, """
                reading \(table) is not allowed: the schema \(ProtectedSchemas.trash) holds tables users dropped and \
                its restore log; restore_table brings a table back.
                """, details: ["reason": .string("relation_not_allowed")])
        }
        let name = column.map { "\(table).\(SQLIdentifier.quote($0))" } ?? table
        let how = kind == "whole" ? " (the query reads whole rows of \(table), which include it)" : ""
        throw ToolError(.sensitiveColumn, """
            The query reads \(name)\(how), which holds secrets (passwords, tokens or keys): its values are never \
            sent to the model, whatever the spelling (also through views, whole rows or functions of it). \
            Leave it out; count(*) and the table's other columns stay readable.
            """, details: ["column": .string(name)])
    }

    /// Rows `kind, schema, relation, column?` for what the query `$1` reads that is refused: `column` (a
    /// sensitive column read), `relation` (a relation listed whole), `whole` (a whole-row reference to a
    /// relation with a sensitive column), `toast` or `trash`. Entries are `$2`–`$4` (column `''` for a whole
    /// relation), names `$5`, the trash schema `$6`.
    static let query = """
        WITH RECURSIVE \(SensitiveColumns.listedCTE), reached(oid) AS (
            SELECT $1::pg_catalog.regclass::pg_catalog.oid
            UNION
            SELECT d.refobjid FROM reached r
            JOIN pg_catalog.pg_rewrite w ON w.ev_class = r.oid
            JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = w.oid
                 AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
            JOIN pg_catalog.pg_class c ON c.oid = d.refobjid AND c.relkind IN ('v', 'm')
        ), reads AS (
            SELECT DISTINCT d.refobjid AS relid, d.refobjsubid AS attnum,
                   w.ev_action::pg_catalog.text ~ ':varattno 0 ' AS whole_row
            FROM reached r
            JOIN pg_catalog.pg_rewrite w ON w.ev_class = r.oid
            JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = w.oid
                 AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
            WHERE d.refobjid <> r.oid
        ), scanned(relid) AS (
            SELECT relid FROM reads
            UNION
            SELECT i.inhrelid FROM scanned s JOIN pg_catalog.pg_inherits i ON i.inhparent = s.relid
        ), candidates(relid) AS (
            SELECT relid FROM reads
        ), refused(kind, relid, attnum, rank) AS (
            SELECT 'toast', s.relid, 0, 0 FROM scanned s
            JOIN pg_catalog.pg_class c ON c.oid = s.relid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname ~ '^pg_toast'
            UNION ALL
            SELECT 'trash', s.relid, 0, 0 FROM scanned s
            JOIN pg_catalog.pg_class c ON c.oid = s.relid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = $6
            UNION ALL
            SELECT 'relation', s.relid, 0, 1 FROM reads s JOIN listed l ON l.relid = s.relid AND l.attnum = 0
            UNION ALL
            SELECT 'column', s.relid, s.attnum, 2 FROM reads s JOIN listed l ON l.relid = s.relid AND l.attnum = s.attnum
            WHERE s.attnum > 0
            UNION ALL
            SELECT 'whole', s.relid, l.attnum, 3 FROM reads s JOIN listed l ON l.relid = s.relid AND l.attnum > 0
            WHERE s.whole_row
        )
        SELECT f.kind, n.nspname::pg_catalog.text, c.relname::pg_catalog.text, a.attname::pg_catalog.text
        FROM refused f
        JOIN pg_catalog.pg_class c ON c.oid = f.relid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = f.relid AND a.attnum = f.attnum AND f.attnum > 0
        ORDER BY f.rank, n.nspname, c.relname, a.attnum
        LIMIT 1
        """
}
