import Foundation
import JSON
import TestSupport
import Testing

/// run_sql's resource limits hold on the worker, measured on a real `pgassist tool` process: its peak
/// resident memory (as the kernel counted it for the finished child) stays under 200 MB whatever the query
/// makes the server produce.
@Suite("run_sql: memory of the worker", .serialized)
struct RunSQLMemoryTests {
    /// The limit the issue sets for one call, in kilobytes.
    private static let limitKilobytes = 200 * 1024

    /// Runs `pgassist tool run_sql` under a small Python parent that reports the child's peak RSS (kB).
    private func measured(_ query: String, database: String) throws -> (json: JSONValue?, peakKilobytes: Int) {
        let arguments = JSONValue.object(["query": .string(query)]).serialized()
        let script = """
            import resource, subprocess, sys
            done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            sys.stdout.buffer.write((str(peak) + "\\n").encode())
            sys.stdout.buffer.write(done.stdout)
            """
        let result = try Command.run(["/usr/bin/python3", "-c", script, TestEnvironment.pgassistBinary, "tool", "run_sql",
                                      "--db", database, "--args", arguments],
                                     environment: ["PATH": "/usr/bin:/bin", "USER": "cli-tester"])
        let lines = result.output.split(separator: "\n", maxSplits: 1)
        let peak = Int(lines.first ?? "") ?? Int.max
        return (lines.count > 1 ? try? JSONValue.parse(String(lines[1])) : nil, peak)
    }

    @Test("huge values, folded constants in EXPLAIN and volatile values measured small stay on the server", arguments: [
        "SELECT repeat('x', 200000000) AS v",
        "SELECT repeat(chr(1), 50000000) AS v",
        "EXPLAIN VERBOSE SELECT repeat('x', 200000000)",
        "EXPLAIN (VERBOSE, FORMAT JSON) SELECT repeat(chr(1), 50000000)",
        "EXPLAIN SELECT 1 WHERE repeat('x', 100000000) = 'y'",
        // A value computed again for sending could be small when measured and huge when sent.
        "SELECT CASE WHEN random() < 0.5 THEN 'x' ELSE repeat('y', 50000000) END AS v FROM generate_series(1, 20)",
        // One wide row of values each under the cap, compact arrays that decode to millions of elements.
        "SELECT " + Array(repeating: "a", count: 300).joined(separator: ", ")
            + " FROM (SELECT pg_catalog.array_fill(1, ARRAY[16000]) AS a) AS s",
        // Errors that quote a value the query computed.
        "SELECT repeat('x', 300000000)::int AS v",
        "EXPLAIN SELECT repeat('x', 200000000)::int",
        // Rows of compact JSON under the value cap, past the output budget: decoded, they would take gigabytes.
        """
        WITH b AS MATERIALIZED (SELECT jsonb_agg('[0]'::jsonb) AS j FROM generate_series(1, 6500))
        SELECT CASE WHEN g <= 111 THEN '[]'::jsonb ELSE b.j END AS j FROM generate_series(1, 1000) AS g, b
        """,
    ])
    func peakMemory(query: String) throws {
        let database = try FixtureDatabase.create(prefix: "memory")
        let (json, peak) = try measured(query, database: database)
        #expect(peak < Self.limitKilobytes, "\(query): peak RSS \(peak) kB")
        let answer = try #require(json, "no JSON answer for \(query)")
        // Answered, not crashed: rows with markers or a capped plan, or a clean error.
        #expect(answer["success"] == .bool(true) || answer["error"]?["code"] != nil, "\(answer.serialized().prefix(300))")
        if let rows = answer["rows"]?.arrayValue, query.hasPrefix("SELECT") {
            for row in rows {
                if let value = row["v"]?.stringValue { #expect(value.utf8.count <= 32 * 1024) }
            }
        }
        #expect(answer.serialized().utf8.count < 1 << 20)
    }
}
