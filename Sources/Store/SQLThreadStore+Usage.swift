/// Per-user usage windows in the thread store's `usage_windows` table (migration 4), for the rate limits.
///
/// Each change is one upsert: on PostgreSQL the conflicting row is locked and the `DO UPDATE … WHERE`
/// re-checked against its latest version; on SQLite the database's single write lock serializes
/// writers. Either way no update is lost and no racer sees a stale count.
extension SQLThreadStore: UsageStore {
    public func countRun(userId: String, windowStart: Int64, maxRuns: Int64, maxTokens: Int64)
        throws(StoreError) -> UsageWindow? {
        try ready()
        guard maxRuns > 0 else { return nil }
        let rows = try database.rows("""
            INSERT INTO usage_windows (user_id, window_start, runs, tokens) VALUES ($1, $2, 1, 0)
            ON CONFLICT (user_id, window_start) DO UPDATE SET runs = usage_windows.runs + 1
                WHERE usage_windows.runs < $3 AND usage_windows.tokens < $4
            RETURNING runs, tokens
            """, [.text(userId), .integer(windowStart), .integer(maxRuns), .integer(maxTokens)])
        guard let row = rows.first else { return nil }
        let window = UsageWindow(userId: userId, windowStart: windowStart, runs: row[0].integer ?? 0, tokens: row[1].integer ?? 0)
        if window.runs == 1 {
            // The user's first run of a new window: their older windows are no longer needed.
            try database.run("DELETE FROM usage_windows WHERE user_id = $1 AND window_start < $2",
                             [.text(userId), .integer(windowStart)])
        }
        return window
    }

    public func addTokens(userId: String, windowStart: Int64, count: Int64) throws(StoreError) -> UsageWindow {
        try ready()
        let rows = try database.rows("""
            INSERT INTO usage_windows (user_id, window_start, runs, tokens) VALUES ($1, $2, 0, $3)
            ON CONFLICT (user_id, window_start) DO UPDATE SET tokens = usage_windows.tokens + excluded.tokens
            RETURNING runs, tokens
            """, [.text(userId), .integer(windowStart), .integer(count)])
        guard let row = rows.first else { throw StoreError(.failed, "the usage window was not returned by its upsert") }
        return UsageWindow(userId: userId, windowStart: windowStart, runs: row[0].integer ?? 0, tokens: row[1].integer ?? 0)
    }

    public func usageWindow(userId: String, windowStart: Int64) throws(StoreError) -> UsageWindow? {
        try ready()
        return try database.rows("SELECT runs, tokens FROM usage_windows WHERE user_id = $1 AND window_start = $2",
                                 [.text(userId), .integer(windowStart)]).first.map { row in
            UsageWindow(userId: userId, windowStart: windowStart, runs: row[0].integer ?? 0, tokens: row[1].integer ?? 0)
        }
    }
}
