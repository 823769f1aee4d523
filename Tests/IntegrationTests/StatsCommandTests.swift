import Foundation
import JSON
import SQLite
import TestSupport
import Testing

/// `pgassist stats`, as operators run it: the built binary on a SQLite store migrated by `pgassist migrate`
/// and filled with audit events and runs as the workers write them.
@Suite("pgassist stats")
struct StatsCommandTests {
    /// A migrated store with tool calls and runs around `now`, and the binary's answers on it.
    private final class Store: CommandStore, @unchecked Sendable {
        static let hour: Int64 = 3_600_000
        static let day: Int64 = 86_400_000

        init() throws {
            try super.init(prefix: "pgassist-stats")
            let connection = try connection()
            func text(_ value: String?) -> SQLiteValue { value.map(SQLiteValue.text) ?? .null }
            for (id, user, project) in [("thread_a", "alice", "p1"), ("thread_b", "bob", "p2")] {
                try connection.run("""
                    INSERT INTO threads (id, user_id, project_ref, message_count, created_at, updated_at) VALUES ($1, $2, $3, 0, $4, $4)
                    """, [.text(id), .text(user), .text(project), .integer(now - 40 * Self.day)])
            }
            // (id, thread, user, project, status, input, output, age); bob's run predates the user and project columns.
            let runs: [(String, String, String?, String?, String, Int64, Int64, Int64)] = [
                ("run_1", "thread_a", "alice", "p1", "completed", 100, 10, 1 * Self.hour),
                ("run_2", "thread_a", "alice", "p1", "failed", 50, 0, 2 * Self.hour),
                ("run_3", "thread_b", nil, nil, "completed", 30, 3, 3 * Self.hour),
                ("run_4", "thread_a", "alice", "p1", "completed", 1_000, 100, 10 * Self.day),
            ]
            for run in runs {
                try connection.run("""
                    INSERT INTO runs (id, thread_id, user_id, project_ref, status, input_tokens, output_tokens, created_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                    """, [.text(run.0), .text(run.1), text(run.2), text(run.3), .text(run.4), .integer(run.5), .integer(run.6),
                          .integer(now - run.7)])
            }
            // (user, project, kind, tool, success, duration, age)
            var events: [(String, String?, String, String?, Int64?, Int64?, Int64)] = []
            for index in 1...10 { events.append(("alice", "p1", "tool", "run_sql", 1, Int64(index * 10), Int64(index) * 60_000)) }
            events += [
                ("alice", "p1", "tool", "list_tables", 0, 5, 2 * Self.hour),
                ("alice", "p1", "approval", "drop_table", nil, nil, 2 * Self.hour),
                ("bob", "p2", "tool", "run_sql", 0, 200, 3 * Self.hour),
                ("bob", "p2", "tool", "get_schema", 1, 7, 3 * Self.hour),
                ("carol", nil, "tool", "list_tables", 1, 1, 1 * Self.day),
                ("alice", "p1", "tool", "run_sql", 1, 9_999, 10 * Self.day),
            ]
            for (index, event) in events.enumerated() {
                try connection.run("""
                    INSERT INTO audit_events (id, created_at, user_id, project_ref, thread_id, run_id, kind, tool, success, duration_ms)
                    VALUES ($1, $2, $3, $4, 'thread_x', 'run_x', $5, $6, $7, $8)
                    """, [.text("audit_\(index)"), .integer(now - event.6), .text(event.0), text(event.1), .text(event.2),
                          text(event.3), event.4.map(SQLiteValue.integer) ?? .null, event.5.map(SQLiteValue.integer) ?? .null])
            }
        }

        func stats(_ arguments: [String]) throws -> Command.Result {
            try run("stats", arguments)
        }

        /// The `--json` answer.
        func json(_ arguments: [String]) throws -> JSONValue {
            let result = try stats(arguments + ["--json"])
            guard result.status == 0 else { throw TestSupportError("stats failed: \(result.errorOutput)") }
            return try JSONValue.parse(result.output)
        }
    }

    private static func groups(_ answer: JSONValue) -> [String: JSONValue] {
        var byKey: [String: JSONValue] = [:]
        for group in answer["groups"]?.arrayValue ?? [] { byKey[group["key"]?.stringValue ?? "?"] = group }
        return byKey
    }

    @Test("by user over the last 7 days (the default): calls, failures, rates, latency percentiles, runs and tokens")
    func byUser() throws {
        let store = try Store()
        let answer = try store.json([])
        #expect(answer["by"] == .string("user"))
        #expect(answer["groups"]?.arrayValue?.compactMap { $0["key"]?.stringValue } == ["alice", "bob", "carol"],
                "busiest first")
        let groups = Self.groups(answer)
        let alice = try #require(groups["alice"])
        #expect(alice["toolCalls"] == .number(11))
        #expect(alice["failedToolCalls"] == .number(1))
        #expect(alice["failureRate"] == .number(0.0909))
        // Durations 5, 10, 20, …, 100: nearest rank.
        #expect(alice["latencyMs"] == .object(["p50": .number(50), "p95": .number(100), "p99": .number(100)]))
        #expect(alice["runs"] == .number(2))
        #expect(alice["failedRuns"] == .number(1))
        #expect(alice["inputTokens"] == .number(150))
        #expect(alice["outputTokens"] == .number(10))
        let bob = try #require(groups["bob"])
        #expect(bob["toolCalls"] == .number(2))
        #expect(bob["failureRate"] == .number(0.5))
        #expect(bob["latencyMs"] == .object(["p50": .number(7), "p95": .number(200), "p99": .number(200)]))
        #expect(bob["runs"] == .number(1), "a run without its own user counts for its thread's")
        #expect(bob["inputTokens"] == .number(30))
        let carol = try #require(groups["carol"])
        #expect(carol["runs"] == .number(0))
        #expect(carol["failureRate"] == .number(0))
        let total = try #require(answer["total"])
        #expect(total["toolCalls"] == .number(14))
        #expect(total["failedToolCalls"] == .number(2))
        #expect(total["latencyMs"] == .object(["p50": .number(40), "p95": .number(200), "p99": .number(200)]))
        #expect(total["runs"] == .number(3))
        #expect(total["failedRuns"] == .number(1))
        #expect(total["inputTokens"] == .number(180))
        #expect(total["outputTokens"] == .number(13))
    }

    @Test("by project, by tool (runs only in the total) and by UTC day")
    func otherGroupings() throws {
        let store = try Store()
        let projects = Self.groups(try store.json(["--by", "project"]))
        #expect(Set(projects.keys) == ["p1", "p2", "-"])
        #expect(projects["p1"]?["toolCalls"] == .number(11))
        #expect(projects["p2"]?["runs"] == .number(1))
        #expect(projects["-"]?["toolCalls"] == .number(1))

        let byTool = try store.json(["--by", "tool"])
        let tools = Self.groups(byTool)
        #expect(Set(tools.keys) == ["run_sql", "list_tables", "get_schema"])
        #expect(tools["run_sql"]?["toolCalls"] == .number(11))
        #expect(tools["run_sql"]?["failedToolCalls"] == .number(1))
        #expect(tools["list_tables"]?["failureRate"] == .number(0.5))
        #expect(tools["run_sql"]?["runs"] == nil)
        #expect(tools["run_sql"]?["inputTokens"] == nil)
        #expect(byTool["total"]?["runs"] == .number(3))
        #expect(byTool["total"]?["inputTokens"] == .number(180))

        let byDay = try store.json(["--by", "day", "--since", "30d"])
        let days = byDay["groups"]?.arrayValue?.compactMap { $0["key"]?.stringValue } ?? []
        #expect(days == days.sorted(), "days in order")
        #expect(days.allSatisfy { $0.count == 10 && $0.dropFirst(4).first == "-" }, "\(days)")
        #expect(days.first == Self.utcDay(store.now - 10 * Store.day))
        let calls = byDay["groups"]?.arrayValue?.reduce(0) { $0 + ($1["toolCalls"]?.intValue ?? 0) }
        #expect(calls == 15)
        #expect(byDay["total"]?["runs"] == .number(4))
        #expect(byDay["total"]?["inputTokens"] == .number(1_180))
    }

    @Test("--since and --until take durations and ISO dates")
    func period() throws {
        let store = try Store()
        let old = try store.json(["--since", "30d", "--until", "5d"])
        let alice = Self.groups(old)["alice"]
        #expect(alice?["toolCalls"] == .number(1))
        #expect(alice?["latencyMs"]?["p99"] == .number(9_999))
        #expect(alice?["runs"] == .number(1))
        #expect(alice?["inputTokens"] == .number(1_000))
        #expect(Self.groups(old).count == 1)
        let since = CommandStore.iso8601(store.now - 90 * 60_000)
        let recent = Self.groups(try store.json(["--since", since]))
        #expect(recent["alice"]?["toolCalls"] == .number(10), "the run_sql calls of the last ten minutes: \(recent)")
        #expect(recent["alice"]?["runs"] == .number(1))
    }

    @Test("the default output is a table with the period, a header, one row per group and a total")
    func table() throws {
        let store = try Store()
        let result = try store.stats(["--by", "user"])
        #expect(result.status == 0, "\(result.errorOutput)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 6, "\(result.output)")
        #expect(lines[0].hasPrefix("Usage by user from "))
        for column in ["USER", "TOOL CALLS", "FAILED", "FAIL %", "P50 MS", "P95 MS", "P99 MS", "RUNS", "INPUT TOKENS", "OUTPUT TOKENS"] {
            #expect(lines[1].contains(column), "\(column)")
        }
        let alice = lines[2].split(separator: " ").map(String.init)
        #expect(alice == ["alice", "11", "1", "9.1", "50", "100", "100", "2", "1", "150", "10"])
        #expect(lines[5].split(separator: " ").map(String.init) == ["TOTAL", "14", "2", "14.3", "40", "200", "200", "3", "1", "180", "13"])
        let tools = try store.stats(["--by", "tool"]).output.split(separator: "\n").map(String.init)
        #expect(tools.first { $0.hasPrefix("run_sql") }?.hasSuffix("-") == true, "no runs by tool")
        let empty = try store.stats(["--since", "2020-01-01", "--until", "2020-02-01"])
        #expect(empty.status == 0)
        #expect(empty.output.hasSuffix("no tool calls or runs\n"))
    }

    @Test("bad usage exits 2; a missing store exits 1 without creating one")
    func failures() throws {
        try Store().expectRefusals(of: "stats", badUsage: [["--by", "week"], ["--since", "yesterday"], ["--until", "2026-13-01"],
                                                            ["--since", "1d", "--until", "2d"], ["--nonsense"]])
    }

    private static func utcDay(_ milliseconds: Int64) -> String {
        String(CommandStore.iso8601(milliseconds).prefix(10))
    }
}
