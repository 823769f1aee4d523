/// Collects tool calls and run figures into rows, then orders them.
struct UsageStatisticsBuilder {
    let grouping: StatisticsGrouping
    private var rows: [String: StatisticsRow] = [:]
    private var durations: [String: [Int64]] = [:]
    private var total = StatisticsRow(key: "total", runs: 0, failedRuns: 0, inputTokens: 0, outputTokens: 0)
    private var allDurations: [Int64] = []

    init(grouping: StatisticsGrouping) { self.grouping = grouping }

    /// Adds one tool call of group `key`; a call without a recorded duration counts but has no latency.
    mutating func addToolCall(key: String, success: Bool, durationMs: Int64?) {
        var row = rows[key] ?? emptyRow(key)
        row.toolCalls += 1
        total.toolCalls += 1
        if !success {
            row.failedToolCalls += 1
            total.failedToolCalls += 1
        }
        rows[key] = row
        if let durationMs {
            durations[key, default: []].append(durationMs)
            allDurations.append(durationMs)
        }
    }

    /// Adds the runs of group `key` (not split by tool: those only go to the total).
    mutating func addRuns(key: String, runs: Int, failed: Int, inputTokens: Int64, outputTokens: Int64) {
        total.runs? += runs
        total.failedRuns? += failed
        total.inputTokens? += inputTokens
        total.outputTokens? += outputTokens
        guard grouping != .tool else { return }
        var row = rows[key] ?? emptyRow(key)
        row.runs = (row.runs ?? 0) + runs
        row.failedRuns = (row.failedRuns ?? 0) + failed
        row.inputTokens = (row.inputTokens ?? 0) + inputTokens
        row.outputTokens = (row.outputTokens ?? 0) + outputTokens
        rows[key] = row
    }

    consuming func build(period: Range<Int64>) -> UsageStatistics {
        var ordered: [StatisticsRow] = []
        for (key, var row) in rows {
            if var values = durations[key] { row.latency = Percentiles(&values) }
            ordered.append(row)
        }
        if grouping == .day {
            ordered.sort { $0.key < $1.key }
        } else {
            ordered.sort {
                ($0.toolCalls, $0.runs ?? 0) != ($1.toolCalls, $1.runs ?? 0)
                    ? ($0.toolCalls, $0.runs ?? 0) > ($1.toolCalls, $1.runs ?? 0) : $0.key < $1.key
            }
        }
        var total = total
        total.latency = Percentiles(&allDurations)
        return UsageStatistics(period: period, grouping: grouping, rows: ordered, total: total)
    }

    /// A row with no figures; run figures start at 0 where runs split by this grouping.
    private func emptyRow(_ key: String) -> StatisticsRow {
        grouping == .tool ? StatisticsRow(key: key)
            : StatisticsRow(key: key, runs: 0, failedRuns: 0, inputTokens: 0, outputTokens: 0)
    }
}
