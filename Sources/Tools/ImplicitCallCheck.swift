import Postgres
import SQLGuard

/// Checks, in the query's own transaction, the places where PostgreSQL may call user code that the
/// parser cannot see as a call (`t.f` on a row type, a user operator, a user cast or type input
/// function), and refuses the query when the database has such user code under those names.
enum ImplicitCallCheck {
    /// The refusal for `calls` on this database, or nil when none of them can reach user code.
    static func refusal(_ calls: ImplicitCalls, connection: PostgresConnection) throws(ToolError) -> ToolError? {
        if calls.isEmpty { return nil }
        let result: PostgresResult
        do {
            result = try connection.query(query, [textArray(calls.attributeNames), textArray(calls.operatorNames),
                                                  textArray(calls.castTypes)])
        } catch {
            throw ToolError.from(error)
        }
        guard result.count > 0, let kind = result.string(0, 0), let name = result.string(0, 1) else { return nil }
        let what = switch kind {
        case "function": "the attribute reference .\(name.split(separator: ".").last ?? "") calls the user function \(name)()"
        case "operator": "the operator \(name) is defined by the database, not built in"
        case "cast": "the cast to \(name) runs a user function"
        default: "the type \(name) has a user-defined input function"
        }
        return ToolError(.sqlNotReadOnly, "\(what): only built-in functions may run, and this one could have side effects.",
                         details: ["reason": .string("functionNotAllowed")])
    }

    /// `{"a","b\"c"}`: a text[] literal with every element quoted.
    static func textArray(_ values: Set<String>) -> String {
        "{" + values.sorted().map { value in
            "\"" + value.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\""
        }.joined(separator: ",") + "}"
    }

    private static let query = """
        SELECT kind, name FROM (
            SELECT 1 AS rank, 'function' AS kind, n.nspname || '.' || p.proname AS name
            FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
            WHERE p.proname = ANY ($1::text[]) AND n.nspname <> 'pg_catalog' AND p.pronargs = 1
              AND EXISTS (SELECT 1 FROM pg_catalog.pg_type t
                          WHERE t.oid = p.proargtypes[0] AND (t.typrelid <> 0 OR t.typtype IN ('p', 'd')))
            UNION ALL
            SELECT 2, 'operator', n.nspname || '.' || o.oprname
            FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
            WHERE o.oprname = ANY ($2::text[]) AND n.nspname <> 'pg_catalog'
            UNION ALL
            SELECT 3, 'cast', pg_catalog.format_type(c.casttarget, NULL)
            FROM pg_catalog.pg_cast c JOIN pg_catalog.pg_proc p ON p.oid = c.castfunc
                 JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
            WHERE c.casttarget IN (SELECT pg_catalog.to_regtype(t) FROM unnest($3::text[]) AS t)
              AND n.nspname <> 'pg_catalog'
            UNION ALL
            SELECT 4, 'type', pg_catalog.format_type(ty.oid, NULL)
            FROM pg_catalog.pg_type ty JOIN pg_catalog.pg_proc p ON p.oid = ty.typinput
                 JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
            WHERE ty.oid IN (SELECT pg_catalog.to_regtype(t) FROM unnest($3::text[]) AS t)
              AND n.nspname <> 'pg_catalog'
        ) AS found ORDER BY rank LIMIT 1
        """
}
