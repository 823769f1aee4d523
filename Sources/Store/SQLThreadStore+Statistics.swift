import Platform

/// Figures about the store's use: active runs for `GET /metrics`, usage summaries for `pgassist stats`.
extension SQLThreadStore: StatisticsStore {
    /// Audit events read per statement while summarising, so a long period costs one page of rows at a
    /// time (plus one duration per tool call for the percentiles).
    static let statisticsPageSize = 5_000
    private static let dayMilliseconds: Int64 = 86_400_000

    public func activeRunCounts() throws(StoreError) -> [RunStatus: Int] {
        try ready()
        // The same condition as the partial index runs_one_active_per_thread, which can answer it.
        let rows = try database.rows("""
            SELECT status, COUNT(*) FROM runs WHERE status IN ('queued', 'in_progress', 'requires_action') GROUP BY status
            """, [])
        var counts: [RunStatus: Int] = [:]
        for row in rows {
            guard let status = row[0].text.flatMap(RunStatus.init(rawValue:)) else { continue }
            counts[status] = Int(row[1].integer ?? 0)
        }
        return counts
    }

    public func usageStatistics(in period: Range<Int64>, by grouping: StatisticsGrouping) throws(StoreError) -> UsageStatistics {
        try usageStatistics(in: period, by: grouping, pageSize: Self.statisticsPageSize)
    }

    /// `usageStatistics(in:by:)` reading `pageSize` audit events per statement.
    func usageStatistics(in period: Range<Int64>, by grouping: StatisticsGrouping,
                         pageSize: Int) throws(StoreError) -> UsageStatistics {
        try ready()
        var builder = UsageStatisticsBuilder(grouping: grouping)
        try addToolCalls(in: period, pageSize: max(pageSize, 1), to: &builder)
        try addRuns(in: period, to: &builder)
        return builder.build(period: period)
    }

    /// Tool-call audit events of the period, a page at a time in (created_at, id) order.
    private func addToolCalls(in period: Range<Int64>, pageSize: Int,
                              to builder: inout UsageStatisticsBuilder) throws(StoreError) {
        var after: (createdAt: Int64, id: String) = (period.lowerBound - 1, "")
        while true {
            let rows = try database.rows("""
                SELECT created_at, id, user_id, project_ref, tool, success, duration_ms FROM audit_events
                WHERE kind = 'tool' AND created_at >= $1 AND created_at < $2
                  AND (created_at > $3 OR (created_at = $3 AND id > $4))
                ORDER BY created_at, id LIMIT $5
                """, [.integer(period.lowerBound), .integer(period.upperBound), .integer(after.createdAt),
                      .text(after.id), .integer(Int64(pageSize))])
            for row in rows {
                let createdAt = row[0].integer ?? 0
                let key: String? = switch builder.grouping {
                case .user: row[2].text
                case .project: row[3].text
                case .day: Self.day(createdAt)
                case .tool: row[4].text
                }
                builder.addToolCall(key: Self.label(key), success: row[5].integer.map { $0 != 0 } ?? false,
                                    durationMs: row[6].integer)
            }
            guard rows.count == pageSize, let last = rows.last else { return }
            after = (last[0].integer ?? 0, last[1].text ?? "")
        }
    }

    /// Runs created in the period, counted and summed by the store. A run's user and project are its own,
    /// or its thread's for runs from before those columns existed.
    private func addRuns(in period: Range<Int64>, to builder: inout UsageStatisticsBuilder) throws(StoreError) {
        let key = switch builder.grouping {
        case .user: "COALESCE(r.user_id, t.user_id)"
        case .project: "COALESCE(r.project_ref, t.project_ref)"
        case .day: "r.created_at / \(Self.dayMilliseconds)"
        case .tool: "''"
        }
        let rows = try database.rows("""
            SELECT \(key), COUNT(*), COALESCE(SUM(CASE WHEN r.status = 'failed' THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(r.input_tokens), 0), COALESCE(SUM(r.output_tokens), 0)
            FROM runs r LEFT JOIN threads t ON t.id = r.thread_id
            WHERE r.created_at >= $1 AND r.created_at < $2
            \(builder.grouping == .tool ? "" : "GROUP BY 1")
            """, [.integer(period.lowerBound), .integer(period.upperBound)])
        for row in rows {
            let group = builder.grouping == .day ? row[0].integer.map { Self.day($0 * Self.dayMilliseconds) } : row[0].text
            builder.addRuns(key: Self.label(group), runs: Int(row[1].integer ?? 0), failed: Int(row[2].integer ?? 0),
                            inputTokens: row[3].integer ?? 0, outputTokens: row[4].integer ?? 0)
        }
    }

    /// The UTC day of `milliseconds`, `2026-11-25`.
    private static func day(_ milliseconds: Int64) -> String {
        String(WallClock.iso8601(milliseconds).prefix(10))
    }

    private static func label(_ key: String?) -> String {
        guard let key, !key.isEmpty else { return "-" }
        return key
    }
}
