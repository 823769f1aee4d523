import ChatEngine
import JSON
import Platform
import Policies
import Store

/// `pgassist stats` output: a table for people, or one JSON object.
enum StatsReport {
    /// A heading with the period, then a table with one row per group and a total row.
    static func table(_ statistics: UsageStatistics) -> String {
        var text = "Usage by \(statistics.grouping.rawValue) from \(WallClock.iso8601(statistics.period.lowerBound)) "
            + "to \(WallClock.iso8601(statistics.period.upperBound))\n"
        guard !statistics.rows.isEmpty else { return text + "no tool calls or runs\n" }
        let header = [statistics.grouping.rawValue.uppercased(), "TOOL CALLS", "FAILED", "FAIL %", "P50 MS", "P95 MS",
                      "P99 MS", "RUNS", "FAILED RUNS", "INPUT TOKENS", "OUTPUT TOKENS"]
        let rows = [header] + statistics.rows.map { cells($0) } + [cells(statistics.total, label: "TOTAL")]
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            let padded = row.indices.map { column in
                // The first column is text, aligned left; the figures align right.
                column == 0 ? row[column].padded(to: widths[column], left: false)
                    : row[column].padded(to: widths[column], left: true)
            }
            text += padded.joined(separator: "  ").trimmingTrailingSpaces() + "\n"
        }
        return text
    }

    /// `{"by", "since", "until", "groups": [...], "total": {...}}`; figures that do not apply are absent.
    static func json(_ statistics: UsageStatistics) -> JSONValue {
        .object([
            "by": .string(statistics.grouping.rawValue),
            "since": .string(WallClock.iso8601(statistics.period.lowerBound)),
            "until": .string(WallClock.iso8601(statistics.period.upperBound)),
            "groups": .array(statistics.rows.map(json)),
            "total": json(statistics.total),
        ])
    }

    private static func json(_ row: StatisticsRow) -> JSONValue {
        var object: [String: JSONValue] = [
            "key": .string(row.key), "toolCalls": .number(Double(row.toolCalls)),
            "failedToolCalls": .number(Double(row.failedToolCalls)),
            "failureRate": row.failureRate.map { .number(($0 * 10_000).rounded() / 10_000) } ?? .null,
            "latencyMs": row.latency.map { .object(["p50": .number(Double($0.p50)), "p95": .number(Double($0.p95)),
                                                    "p99": .number(Double($0.p99))]) } ?? .null,
        ]
        if let runs = row.runs { object["runs"] = .number(Double(runs)) }
        if let failed = row.failedRuns { object["failedRuns"] = .number(Double(failed)) }
        if let input = row.inputTokens { object["inputTokens"] = .number(Double(input)) }
        if let output = row.outputTokens { object["outputTokens"] = .number(Double(output)) }
        return .object(object)
    }

    /// The row's figures; `label` replaces its key (the total row).
    private static func cells(_ row: StatisticsRow, label: String? = nil) -> [String] {
        func figure<T>(_ value: T?) -> String { value.map { "\($0)" } ?? "-" }
        let rate = row.failureRate.map { rate in
            let tenths = Int((rate * 1_000).rounded())
            return "\(tenths / 10).\(tenths % 10)"
        }
        return [label ?? row.key,
                String(row.toolCalls), String(row.failedToolCalls), figure(rate), figure(row.latency?.p50),
                figure(row.latency?.p95), figure(row.latency?.p99), figure(row.runs), figure(row.failedRuns),
                figure(row.inputTokens), figure(row.outputTokens)]
    }
}

private extension String {
    func padded(to width: Int, left: Bool) -> String {
        guard count < width else { return self }
        let spaces = String(repeating: " ", count: width - count)
        return left ? spaces + self : self + spaces
    }

    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
