import ChatEngine
import Foundation
import JSON
import Logging
import Logs
import Operations
import Platform
import Policies
import Store
import Synchronization
import TestSupport
import Testing

@Suite("Audit trail in the thread store on SQLite and PostgreSQL")
struct AuditLogTests {
    @Test("a recorded event is stored with redacted arguments and read back whole", arguments: [StoreKind.sqlite, .postgres])
    func roundTrip(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = try fixture.open()
        let event = AuditEvent(kind: .tool, userId: "alice", projectRef: "abcd", threadId: "thread_1", runId: "run_1",
                               tool: "run_sql", arguments: #"{"query": "ALTER ROLE x PASSWORD 'hunter2'"}"#,
                               success: false, errorCode: "sql_not_read_only", durationMs: 12)
        let stored = try store.record(event, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        #expect(stored.arguments == #"{"query":"ALTER ROLE x PASSWORD '\#(Redaction.mask)'"}"#)
        // Another connection (another worker) reads the same trail.
        let listed = try fixture.open().auditEvents(matching: AuditFilter())
        #expect(listed == [stored])
        #expect(listed.first?.arguments?.contains("hunter2") == false)
    }

    @Test("events without optional fields keep them absent", arguments: [StoreKind.sqlite, .postgres])
    func sparse(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = try fixture.open()
        let event = AuditEvent(kind: .approval, userId: "bob")
        try store.saveAuditEvent(event)
        #expect(try store.auditEvents(matching: AuditFilter()) == [event])
        #expect(event.json.objectValue.map { Set($0.keys) } == ["id", "at", "createdAt", "userId", "kind"])
    }

    @Test("listing filters by user, project, tool, kind, time and outcome, newest first, up to the limit",
          arguments: [StoreKind.sqlite, .postgres])
    func filters(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = try fixture.open()
        let base: Int64 = 1_800_000_000_000
        let events = [
            AuditEvent(kind: .tool, userId: "alice", projectRef: "p1", tool: "run_sql", arguments: "{}", success: true,
                       durationMs: 5, createdAt: base),
            AuditEvent(kind: .tool, userId: "alice", projectRef: "p2", tool: "drop_table", arguments: "{}", success: false,
                       errorCode: "confirmation_required", createdAt: base + 1_000),
            AuditEvent(kind: .approval, userId: "alice", projectRef: "p2", tool: "drop_table", createdAt: base + 2_000),
            AuditEvent(kind: .tool, userId: "bob", projectRef: "p1", tool: "run_sql", arguments: "{}", success: false,
                       errorCode: "sql_error", createdAt: base + 3_000),
            AuditEvent(kind: .rejection, userId: "bob", projectRef: "p1", tool: "drop_table", createdAt: base + 4_000),
        ]
        for event in events { try store.saveAuditEvent(event) }
        func ids(_ filter: AuditFilter) throws -> [String] {
            try store.auditEvents(matching: filter).map { event in events.firstIndex { $0.id == event.id }.map(String.init) ?? "?" }
        }
        #expect(try ids(AuditFilter()) == ["4", "3", "2", "1", "0"])
        #expect(try ids(AuditFilter(userId: "alice")) == ["2", "1", "0"])
        #expect(try ids(AuditFilter(projectRef: "p1")) == ["4", "3", "0"])
        #expect(try ids(AuditFilter(tool: "drop_table")) == ["4", "2", "1"])
        #expect(try ids(AuditFilter(kind: .tool)) == ["3", "1", "0"])
        #expect(try ids(AuditFilter(kind: .rejection)) == ["4"])
        #expect(try ids(AuditFilter(since: base + 1_000, until: base + 3_000)) == ["2", "1"])
        #expect(try ids(AuditFilter(success: false)) == ["3", "1"])
        #expect(try ids(AuditFilter(success: true)) == ["0"])
        #expect(try ids(AuditFilter(userId: "bob", tool: "run_sql", kind: .tool, success: false)) == ["3"])
        #expect(try ids(AuditFilter(limit: 2)) == ["4", "3"])
        #expect(try ids(AuditFilter(userId: "carol")) == [])
    }

    @Test("recording writes one JSON log line, event audit with the event's fields, redacted like the store",
          arguments: [StoreKind.sqlite])
    func logLine(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { withExtendedLifetime(fixture) {} }
        let lines = Mutex<[[UInt8]]>([])
        let logger = Logger(label: "audit-test") { _ in JSONLogHandler { line in lines.withLock { $0.append(line) } } }
        let event = AuditEvent(kind: .tool, userId: "alice", projectRef: "abcd", runId: "run_9", tool: "run_sql",
                               arguments: #"{"query": "select 1", "note": "postgres://u:pw@h/db\nnext", "maxRows": null}"#,
                               success: true, durationMs: 3)
        try fixture.open().record(event, logger: logger)
        let captured = lines.withLock { $0 }
        try #require(captured.count == 1)
        #expect(captured[0].filter { $0 == UInt8(ascii: "\n") }.count == 1, "one line")
        #expect(!String(decoding: captured[0], as: UTF8.self).contains("pw@"))
        let parsed = try JSONValue.parse(captured[0])
        #expect(parsed["event"] == .string(AuditEvent.logEvent) && parsed["level"] == .string("info"))
        #expect(parsed["user"] == .string("alice") && parsed["run_id"] == .string("run_9") && parsed["duration_ms"] == .number(3))
        #expect(parsed["userId"] == nil && parsed["runId"] == nil && parsed["durationMs"] == nil && parsed["at"] == nil)
        #expect(parsed["kind"] == .string("tool") && parsed["tool"] == .string("run_sql") && parsed["projectRef"] == .string("abcd"))
        #expect(parsed["success"] == .bool(true))
        #expect(parsed["createdAt"] == .number(Double(event.createdAt)) && parsed["id"] == .string(event.id))
        #expect(parsed["arguments"]?["query"] == .string("select 1"))
        #expect(parsed["arguments"]?["note"] == .string("postgres://u:\(Redaction.mask)@h/db\nnext"))
        #expect(parsed["arguments"]?["maxRows"] == .null)
    }

    @Test("command-line times: durations back from now and ISO 8601 dates, times and offsets")
    func timeExpressions() {
        let now: Int64 = 1_800_000_000_000
        #expect(TimeExpression.milliseconds("24h", now: now) == now - 86_400_000)
        #expect(TimeExpression.milliseconds("90s", now: now) == now - 90_000)
        #expect(TimeExpression.milliseconds("30m", now: now) == now - 1_800_000)
        #expect(TimeExpression.milliseconds("7d", now: now) == now - 604_800_000)
        #expect(TimeExpression.milliseconds("1970-01-01", now: now) == 0)
        #expect(TimeExpression.milliseconds("2026-11-25", now: now) == 1_795_564_800_000)
        #expect(TimeExpression.milliseconds("2026-11-25T02:35:11.123Z", now: now) == 1_795_574_111_123)
        #expect(TimeExpression.milliseconds("2026-11-25 02:35", now: now) == 1_795_574_100_000)
        #expect(TimeExpression.milliseconds("2026-11-25T03:35:11.123+01:00", now: now) == 1_795_574_111_123)
        #expect(TimeExpression.milliseconds("2026-11-24T21:35:11.1-0500", now: now) == 1_795_574_111_100)
        #expect(TimeExpression.milliseconds("2024-02-29", now: now) != nil)
        for bad in ["yesterday", "24", "h", "-5h", "2026-13-01", "2025-02-29", "2026-11-25T25:00", "2026-11-25T10:00Zjunk", ""] {
            #expect(TimeExpression.milliseconds(bad, now: now) == nil, "\(bad)")
        }
        // The ISO form of a stored time reads back as the same time.
        #expect(TimeExpression.milliseconds(WallClock.iso8601(now), now: 0) == now)
    }
}
