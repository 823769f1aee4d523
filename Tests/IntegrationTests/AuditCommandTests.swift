import Foundation
import JSON
import SQLite
import TestSupport
import Testing

/// `pgassist audit`, as operators run it: the built binary on a SQLite store migrated by `pgassist migrate`
/// and filled with rows as the workers would write them.
@Suite("pgassist audit")
struct AuditCommandTests {
    /// A migrated store with six events around `now`, and the binary's answers on it.
    private final class Store: CommandStore, @unchecked Sendable {
        init() throws {
            try super.init(prefix: "pgassist-audit")
            let connection = try connection()
            let hour: Int64 = 3_600_000
            // (id, age, user, project, kind, tool, arguments, success, error code, duration)
            let rows: [(String, Int64, String, String?, String, String?, String?, Int64?, String?, Int64?)] = [
                ("audit_1", 50 * hour, "alice", "p1", "tool", "run_sql", #"{"query":"select 1"}"#, 1, nil, 4),
                ("audit_2", 30 * hour, "alice", "p2", "tool", "drop_table", #"{"table":"old"}"#, 0, "confirmation_required", 20),
                ("audit_3", 3 * hour, "alice", "p2", "approval", "drop_table", nil, nil, nil, nil),
                ("audit_4", 2 * hour, "bob", "p1", "tool", "run_sql", #"{"query":"delete from t"}"#, 0, "sql_not_read_only", 2),
                ("audit_5", 1 * hour, "bob", "p1", "rejection", "drop_table", nil, nil, nil, nil),
                ("audit_6", 0, "carol", nil, "rate_limited", nil, nil, nil, nil, nil),
            ]
            for row in rows {
                func text(_ value: String?) -> SQLiteValue { value.map(SQLiteValue.text) ?? .null }
                func integer(_ value: Int64?) -> SQLiteValue { value.map(SQLiteValue.integer) ?? .null }
                try connection.run("""
                    INSERT INTO audit_events (id, created_at, user_id, project_ref, thread_id, run_id, kind, tool, arguments,
                                              success, error_code, duration_ms)
                    VALUES ($1, $2, $3, $4, 'thread_x', 'run_x', $5, $6, $7, $8, $9, $10)
                    """, [.text(row.0), .integer(now - row.1), .text(row.2), text(row.3), .text(row.4), text(row.5), text(row.6),
                          integer(row.7), text(row.8), integer(row.9)])
            }
        }

        func audit(_ arguments: [String]) throws -> Command.Result {
            try run("audit", arguments)
        }

        /// The ids `--json` lists, in order.
        func ids(_ arguments: [String]) throws -> [String] {
            let result = try audit(arguments + ["--json"])
            guard result.status == 0 else { throw TestSupportError("audit failed: \(result.errorOutput)") }
            return try result.output.split(separator: "\n").map { line in
                try JSONValue.parse(String(line))["id"]?.stringValue ?? "?"
            }
        }
    }

    @Test("--json prints one object per event, newest first, with every recorded field")
    func json() throws {
        let store = try Store()
        let result = try store.audit(["--json"])
        #expect(result.status == 0, "\(result.errorOutput)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 6)
        let events = try lines.map { try JSONValue.parse($0) }
        #expect(events.compactMap { $0["id"]?.stringValue } == ["audit_6", "audit_5", "audit_4", "audit_3", "audit_2", "audit_1"])
        let denied = try #require(events.first { $0["id"] == .string("audit_4") })
        #expect(denied["userId"] == .string("bob"))
        #expect(denied["projectRef"] == .string("p1"))
        #expect(denied["kind"] == .string("tool"))
        #expect(denied["tool"] == .string("run_sql"))
        #expect(denied["arguments"]?["query"] == .string("delete from t"))
        #expect(denied["success"] == .bool(false))
        #expect(denied["errorCode"] == .string("sql_not_read_only"))
        #expect(denied["durationMs"] == .number(2))
        #expect(denied["runId"] == .string("run_x"))
        #expect(denied["createdAt"]?.intValue == Int(store.now - 2 * 3_600_000))
        #expect(denied["at"]?.stringValue?.hasSuffix("Z") == true)
        let approval = try #require(events.first { $0["id"] == .string("audit_3") })
        #expect(approval["success"] == nil)
        #expect(approval["arguments"] == nil)
    }

    @Test("filters: --user, --project, --tool, --kind, --since (duration or ISO date), --until, --failed, --limit")
    func filters() throws {
        let store = try Store()
        #expect(try store.ids(["--user", "alice"]) == ["audit_3", "audit_2", "audit_1"])
        #expect(try store.ids(["--project", "p1"]) == ["audit_5", "audit_4", "audit_1"])
        #expect(try store.ids(["--tool", "drop_table"]) == ["audit_5", "audit_3", "audit_2"])
        #expect(try store.ids(["--kind", "approval"]) == ["audit_3"])
        #expect(try store.ids(["--kind", "rate_limited"]) == ["audit_6"])
        #expect(try store.ids(["--since", "24h"]) == ["audit_6", "audit_5", "audit_4", "audit_3"])
        #expect(try store.ids(["--since", "40h", "--until", "150m"]) == ["audit_3", "audit_2"])
        let iso = CommandStore.iso8601(store.now - 40 * 3_600_000)
        #expect(try store.ids(["--since", iso]) == ["audit_6", "audit_5", "audit_4", "audit_3", "audit_2"])
        #expect(try store.ids(["--failed"]) == ["audit_4", "audit_2"])
        #expect(try store.ids(["--failed", "--user", "bob"]) == ["audit_4"])
        #expect(try store.ids(["--limit", "2"]) == ["audit_6", "audit_5"])
        #expect(try store.ids(["--user", "nobody"]) == [])
    }

    @Test("the default output is a readable table with a header and one row per event")
    func table() throws {
        let store = try Store()
        let result = try store.audit(["--user", "bob"])
        #expect(result.status == 0, "\(result.errorOutput)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.first?.hasPrefix("TIME") == true)
        for column in ["KIND", "USER", "PROJECT", "TOOL", "RESULT", "MS", "ARGUMENTS"] {
            #expect(lines.first?.contains(column) == true, "\(column)")
        }
        #expect(lines[1].contains("rejection") && lines[1].contains("drop_table"))
        #expect(lines[2].contains("sql_not_read_only") && lines[2].contains(#"{"query":"delete from t"}"#))
        let empty = try store.audit(["--user", "nobody"])
        #expect(empty.status == 0)
        #expect(empty.output == "no audit events\n")
    }

    @Test("bad usage exits 2; a missing store exits 1 without creating one")
    func failures() throws {
        try Store().expectRefusals(of: "audit", badUsage: [["--since", "yesterday"], ["--until", "2026-13-01"], ["--limit", "0"],
                                                            ["--nonsense"]])
    }
}
