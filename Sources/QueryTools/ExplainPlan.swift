import JSON
import Postgres
import ToolsCore

/// The plan of a checked query (`QueryProbe`'s stored view), read with its size capped on the server: a
/// plan can be as large as the constants folded into it (`repeat('x', 200000000)`), so a temporary
/// function runs EXPLAIN there and sends each line cut to the output budget, stopping once the budget is
/// used. The transaction is `READ ONLY` before the plan is made.
enum ExplainPlan {
    /// The plan's lines as `QUERY PLAN` rows, marked truncated when a line or the whole plan was cut.
    static func read(options: String, budgetBytes: Int, deadline: Deadline,
                     connection: PostgresConnection) throws(ToolError) -> ReadOnlyExecution.Output {
        let start = ContinuousClock.now
        let explain = "EXPLAIN " + (options.isEmpty ? "" : "(\(options)) ") + "SELECT * FROM \(QueryProbe.viewName)"
        let result: PostgresResult
        try ReadOnlyExecution.startReading(connection, deadline: deadline) { () throws(PostgresError) in
            try QueryProbe.withoutEventTriggers(connection) { () throws(PostgresError) in
                _ = try connection.query(Self.function(explain))
            }
        }
        // The plan names things as the user's search_path would.
        result = try connection.withUserSearchPath { () throws(ToolError) -> PostgresResult in
            do throws(PostgresError) {
                return try connection.query("SELECT line, bytes FROM pg_temp.pgassist_explain($1)", ["\(budgetBytes)"])
            } catch {
                throw ToolError.from(error)
            }
        }
        return output(result, budgetBytes: budgetBytes, elapsed: ContinuousClock.now - start)
    }

    /// The function that runs `explain` and caps what it sends: each line cut to the budget, and no line
    /// once the budget is used. Every name in it is qualified: it runs with the user's search_path.
    private static func function(_ explain: String) -> String {
        """
                CREATE FUNCTION pg_temp.pgassist_explain(budget pg_catalog.int4) RETURNS TABLE (line pg_catalog.text, bytes pg_catalog.int4)
                LANGUAGE plpgsql AS $pgassist$
                DECLARE
                    plan_line pg_catalog.text;
                    used pg_catalog.int4 := 0;
                BEGIN
                    FOR plan_line IN EXECUTE '\(explain)' LOOP
                        EXIT WHEN used OPERATOR(pg_catalog.>) budget;
                        line := pg_catalog.left(plan_line, budget);
                        bytes := pg_catalog.octet_length(plan_line);
                        used := used OPERATOR(pg_catalog.+) pg_catalog.octet_length(line);
                        RETURN NEXT;
                    END LOOP;
                EXCEPTION WHEN OTHERS THEN
                    -- Planning can fail on a folded constant, quoting it: keep the message short.
                    RAISE EXCEPTION USING ERRCODE = SQLSTATE, MESSAGE = pg_catalog.left(SQLERRM, \(QueryRows.errorCharacters));
                END
                $pgassist$
                """
    }

    /// The plan's rows, cut to `budgetBytes` in all.
    private static func output(_ result: PostgresResult, budgetBytes: Int, elapsed: Duration) -> ReadOnlyExecution.Output {
        var rows: [JSONValue] = []
        var truncated = false
        var used = 0
        for row in 0..<result.count {
            var line = result.string(row, 0) ?? ""
            if (result.string(row, 1).flatMap(Int.init) ?? 0) > line.utf8.count { truncated = true }
            if used + line.utf8.count > budgetBytes {
                truncated = true
                var kept = Substring(line)
                while used + kept.utf8.count > budgetBytes { kept = kept.dropLast() }
                line = String(kept)
            }
            used += line.utf8.count
            if !line.isEmpty || used < budgetBytes { rows.append(.object(["QUERY PLAN": .string(line)])) }
            if used >= budgetBytes { break }
        }
        return ReadOnlyExecution.Output(columns: [(name: "QUERY PLAN", type: "text")], rows: rows, truncated: truncated,
                                        durationMilliseconds: Double(elapsed.components.seconds) * 1_000
                                            + Double(elapsed.components.attoseconds) / 1e15)
    }
}
