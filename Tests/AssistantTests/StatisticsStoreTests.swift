@testable import ChatEngine
@testable import Operations
@testable import Policies
@testable import Store
import Testing

/// The figures behind `GET /metrics` (active runs) and `pgassist stats` (usage), on both stores.
@Suite("Store statistics on SQLite and PostgreSQL")
struct StatisticsStoreTests {
    private static let day: Int64 = 86_400_000
    /// 2026-11-26T12:00:00Z.
    private static let noon: Int64 = 1_795_694_400_000

    @Test("active runs are counted by status; finished ones are not", arguments: [StoreKind.sqlite, .postgres])
    func activeRuns(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = try fixture.open()
        #expect(try store.activeRunCounts().isEmpty)
        for (user, status) in [("alice", "in_progress"), ("bob", "requires_action"), ("carol", "completed"), ("dave", "failed")] {
            let thread = try store.currentOrNewThread(userId: user, projectRef: nil)
            try store.database.run("INSERT INTO runs (id, thread_id, status, created_at) VALUES ($1, $2, $3, $4)",
                                   [.text("run_\(user)"), .text(thread.id), .text(status), .integer(Self.noon)])
        }
        #expect(try fixture.open().activeRunCounts() == [.inProgress: 1, .requiresAction: 1])
    }

    @Test("usage by user, project, day and tool, read a page at a time", arguments: [StoreKind.sqlite, .postgres])
    func usage(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = try fixture.open()
        let alice = try store.currentOrNewThread(userId: "alice", projectRef: "p1")
        let bob = try store.currentOrNewThread(userId: "bob", projectRef: "p2")
        // Several events share a time, so paging must order by id as well.
        let events: [(String, String?, String, Bool, Int64, Int64)] = [
            ("alice", "p1", "run_sql", true, 10, Self.noon), ("alice", "p1", "run_sql", true, 30, Self.noon),
            ("alice", "p1", "run_sql", false, 20, Self.noon), ("alice", "p1", "list_tables", true, 5, Self.noon + 1),
            ("bob", "p2", "run_sql", true, 100, Self.noon + 1), ("bob", nil, "get_schema", false, 7, Self.noon + Self.day),
            ("alice", "p1", "run_sql", true, 999, Self.noon - 30 * Self.day),
        ]
        for (index, event) in events.enumerated() {
            try store.saveAuditEvent(AuditEvent(kind: .tool, userId: event.0, projectRef: event.1, tool: event.2,
                                                success: event.3, durationMs: event.4, id: "audit_\(index % 3)_\(index)",
                                                createdAt: event.5))
        }
        try store.saveAuditEvent(AuditEvent(kind: .approval, userId: "alice", tool: "drop_table", createdAt: Self.noon))
        for (id, thread, status, input, output, at) in [("run_1", alice.id, "completed", 100, 10, Self.noon),
                                                       ("run_2", bob.id, "failed", 40, 4, Self.noon + Self.day)] {
            // Runs keep their user and project only from migration 3 on: these have none, their threads do.
            try store.database.run("""
                INSERT INTO runs (id, thread_id, status, input_tokens, output_tokens, created_at) VALUES ($1, $2, $3, $4, $5, $6)
                """, [.text(id), .text(thread), .text(status), .integer(Int64(input)), .integer(Int64(output)), .integer(at)])
        }
        let period = (Self.noon - Self.day)..<(Self.noon + 2 * Self.day)

        let byUser = try store.usageStatistics(in: period, by: .user, pageSize: 2)
        #expect(byUser.rows.map(\.key) == ["alice", "bob"])
        #expect(byUser.rows[0] == StatisticsRow(key: "alice", toolCalls: 4, failedToolCalls: 1,
                                                latency: Percentiles(p50: 10, p95: 30, p99: 30), runs: 1, failedRuns: 0,
                                                inputTokens: 100, outputTokens: 10))
        #expect(byUser.rows[1].runs == 1 && byUser.rows[1].failedRuns == 1 && byUser.rows[1].inputTokens == 40)
        #expect(byUser.total.toolCalls == 6)
        #expect(byUser.total.latency == Percentiles(p50: 10, p95: 100, p99: 100))
        #expect(byUser.total.outputTokens == 14)

        let byProject = try store.usageStatistics(in: period, by: .project, pageSize: 1)
        #expect(byProject.rows.map(\.key) == ["p1", "p2", "-"])
        #expect(byProject.rows.map(\.toolCalls) == [4, 1, 1])

        let byDay = try store.usageStatistics(in: period, by: .day, pageSize: 5_000)
        #expect(byDay.rows.map(\.key) == ["2026-11-26", "2026-11-27"])
        #expect(byDay.rows.map(\.toolCalls) == [5, 1])
        #expect(byDay.rows.map(\.runs) == [1, 1])

        let byTool = try store.usageStatistics(in: period, by: .tool, pageSize: 3)
        #expect(byTool.rows.map(\.key) == ["run_sql", "get_schema", "list_tables"])
        #expect(byTool.rows[0].failureRate == 0.25)
        #expect(byTool.rows.allSatisfy { $0.runs == nil && $0.inputTokens == nil })
        #expect(byTool.total.runs == 2)
    }

    @Test("percentiles are nearest-rank")
    func percentiles() {
        var none: [Int64] = []
        #expect(Percentiles(&none) == nil)
        var one: [Int64] = [42]
        #expect(Percentiles(&one) == Percentiles(p50: 42, p95: 42, p99: 42))
        var hundred = (1...100).reversed().map(Int64.init)
        #expect(Percentiles(&hundred) == Percentiles(p50: 50, p95: 95, p99: 99))
        var twenty = (1...20).map(Int64.init)
        #expect(Percentiles(&twenty) == Percentiles(p50: 10, p95: 19, p99: 20))
    }
}
