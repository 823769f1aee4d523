import Postgres
import ToolsCore

/// The checked query's rows, read through a temporary function that cuts error messages short on the server.
///
/// An error can quote a value the query computed (`repeat('x', 300000000)::int` fails with the whole string
/// in its message), and libpq reads a whole message into memory before anything can look at it, so an error
/// could cost the worker gigabytes. The function runs the stored view with at most `limit` rows and turns any
/// error into the same error (same SQLSTATE) with its message, detail and hint cut to 2,000 characters.
enum QueryRows {
    /// The most characters of an error's message, detail or hint that leave the server.
    static let errorCharacters = 2_000

    /// Creates the function; call before the transaction becomes `READ ONLY`.
    static func create(_ connection: PostgresConnection) throws(PostgresError) {
        try QueryProbe.withoutEventTriggers(connection) { () throws(PostgresError) in
            _ = try connection.query(definition)
        }
    }

    /// The SELECT that reads at most `limit` rows through the function (`columns` `*`, or empty for a query of
    /// no columns).
    static func select(columns: String, limit: Int) -> String {
        "SELECT \(columns) FROM pg_temp.pgassist_rows(\(limit))"
    }

    /// Every name qualified: the function runs with the user's search_path.
    private static let definition = """
        CREATE FUNCTION pg_temp.pgassist_rows(row_limit pg_catalog.int8) RETURNS SETOF \(QueryProbe.viewName)
        LANGUAGE plpgsql AS $pgassist$
        DECLARE
            problem_detail pg_catalog.text;
            problem_hint pg_catalog.text;
        BEGIN
            RETURN QUERY SELECT * FROM \(QueryProbe.viewName) LIMIT row_limit;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS problem_detail = PG_EXCEPTION_DETAIL, problem_hint = PG_EXCEPTION_HINT;
            -- RAISE refuses an empty option, and an error without a detail or hint must stay without one.
            IF problem_detail OPERATOR(pg_catalog.=) '' AND problem_hint OPERATOR(pg_catalog.=) '' THEN
                RAISE EXCEPTION USING ERRCODE = SQLSTATE, MESSAGE = pg_catalog.left(SQLERRM, \(errorCharacters));
            ELSIF problem_hint OPERATOR(pg_catalog.=) '' THEN
                RAISE EXCEPTION USING ERRCODE = SQLSTATE, MESSAGE = pg_catalog.left(SQLERRM, \(errorCharacters)),
                    DETAIL = pg_catalog.left(problem_detail, \(errorCharacters));
            ELSIF problem_detail OPERATOR(pg_catalog.=) '' THEN
                RAISE EXCEPTION USING ERRCODE = SQLSTATE, MESSAGE = pg_catalog.left(SQLERRM, \(errorCharacters)),
                    HINT = pg_catalog.left(problem_hint, \(errorCharacters));
            ELSE
                RAISE EXCEPTION USING ERRCODE = SQLSTATE, MESSAGE = pg_catalog.left(SQLERRM, \(errorCharacters)),
                    DETAIL = pg_catalog.left(problem_detail, \(errorCharacters)), HINT = pg_catalog.left(problem_hint, \(errorCharacters));
            END IF;
        END
        $pgassist$
        """
}
