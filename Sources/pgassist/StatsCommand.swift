import ArgumentParser
import ChatEngine
import JSON
import Operations
import Platform
import Policies
import Store

/// `pgassist stats`: tool usage, failure rates, tool latency percentiles and token use per user, project,
/// day or tool, from the audit trail and the runs in the thread store (THREAD_STORE_URL).
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Summarise tool calls, failures, latencies and tokens by user, project, day or tool.",
        discussion: """
            Tool calls, their failures and latency percentiles (p50/p95/p99 of the recorded durations, nearest rank) \
            come from the audit trail; runs and their model tokens from the runs table. By tool, runs and tokens \
            only appear in the total (a run uses several tools). Days are UTC.

            Examples:
              pgassist stats
              pgassist stats --since 30d --by project
              pgassist stats --since 2026-11-01 --until 2026-12-01 --by day --json

            The store is the one the server uses (THREAD_STORE_URL, default sqlite://var/pgassist.db).
            """
    )

    @Option(help: "Only what happened at or after this time: a duration ago such as 7d, or an ISO 8601 date or time.")
    var since: String = "7d"

    @Option(help: "Only what happened before this time (same forms as --since); default now.")
    var until: String?

    @Option(help: "Group by user, project, day or tool.")
    var by: String = StatisticsGrouping.user.rawValue

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        let now = WallClock.nowMilliseconds()
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, TimeExpression.milliseconds(value, now: now) == nil {
                throw ValidationError("\(name) '\(value)' is neither an ISO 8601 date or time nor a duration such as 7d.")
            }
        }
        guard StatisticsGrouping(rawValue: by) != nil else {
            throw ValidationError("--by must be user, project, day or tool, not '\(by)'.")
        }
        if let start = TimeExpression.milliseconds(since, now: now), let until,
           let end = TimeExpression.milliseconds(until, now: now), end <= start {
            throw ValidationError("--until must be later than --since.")
        }
    }

    func run() throws {
        let settings = try ExistingStore.settings()
        let now = WallClock.nowMilliseconds()
        let start = TimeExpression.milliseconds(since, now: now) ?? now
        let end = until.flatMap { TimeExpression.milliseconds($0, now: now) } ?? now + 1
        let grouping = StatisticsGrouping(rawValue: by) ?? .user
        let statistics: UsageStatistics
        do {
            statistics = try settings.openStore().usageStatistics(in: start..<max(end, start + 1), by: grouping)
        } catch {
            throw StartupError("cannot read the usage statistics: \(error.debugDescription)")
        }
        if json {
            print(StatsReport.json(statistics).serialized())
        } else {
            print(StatsReport.table(statistics), terminator: "")
        }
    }
}
