import ArgumentParser
import ChatEngine
import Operations
import Platform
import Policies
import Store

/// `pgassist audit`: list the audit trail (tool calls, approvals, rejections, rate-limit refusals)
/// from the thread store (THREAD_STORE_URL), newest first, as a table or one JSON object per line.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "List audit events (tool calls, approvals, rejections, rate limits) from the thread store.",
        discussion: """
            Events are listed newest first. Times are ISO 8601 (UTC unless an offset is given) or a duration back from now: 90s, 30m, 24h, 7d, 2w. Arguments are stored redacted.

            Examples:
              pgassist audit --since 24h
              pgassist audit --user alice --tool run_sql --failed
              pgassist audit --kind approval --since 2026-11-01 --until 2026-12-01 --json

            The store is the one the server uses (THREAD_STORE_URL, default sqlite://var/pgassist.db).
            """
    )

    @Option(help: "Only this user's events.")
    var user: String?

    @Option(help: "Only events of this project (projectRef).")
    var project: String?

    @Option(help: "Only calls of this tool.")
    var tool: String?

    @Option(help: "Only events of this kind: tool, approval, rejection, rate_limited.")
    var kind: String?

    @Option(help: "Only events at or after this time: an ISO 8601 date or time, or a duration ago such as 24h.")
    var since: String?

    @Option(help: "Only events before this time (same forms as --since).")
    var until: String?

    @Flag(help: "Only failed events.")
    var failed = false

    @Option(help: "The most events to list (newest first).")
    var limit: Int = 100

    @Flag(help: "Print one JSON object per line instead of a table.")
    var json = false

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1.") }
        let now = WallClock.nowMilliseconds()
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, TimeExpression.milliseconds(value, now: now) == nil {
                throw ValidationError("\(name) '\(value)' is neither an ISO 8601 date or time nor a duration such as 24h.")
            }
        }
        if let kind, kind.isEmpty { throw ValidationError("--kind must not be empty.") }
    }

    func run() throws {
        let settings = try ExistingStore.settings()
        let now = WallClock.nowMilliseconds()
        let filter = AuditFilter(userId: user?.nfc, projectRef: project, tool: tool, kind: kind.map(AuditEventKind.init(rawValue:)),
                                 since: since.flatMap { TimeExpression.milliseconds($0, now: now) },
                                 until: until.flatMap { TimeExpression.milliseconds($0, now: now) },
                                 success: failed ? false : nil, limit: limit)
        let events: [AuditEvent]
        do {
            events = try settings.openStore().auditEvents(matching: filter)
        } catch {
            throw StartupError("cannot read the audit trail: \(error.debugDescription)")
        }
        if json {
            for event in events { print(event.json.serialized()) }
        } else {
            print(AuditTable(events: events).rendered, terminator: "")
        }
    }
}
