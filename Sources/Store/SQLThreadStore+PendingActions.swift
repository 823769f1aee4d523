import JSON
import Platform

/// Approvals kept in the thread store, so every worker process (and the CLI) sees the same ones, each with
/// the target it was asked for.
///
/// Consuming is one conditional `UPDATE … RETURNING`: on PostgreSQL the row lock makes racing
/// consumers re-check `used_at`, on SQLite the single write lock serializes them, so an action is
/// used at most once on both.
extension SQLThreadStore {
    /// Actions that expired longer ago than this are deleted when a new one is saved, in milliseconds (1 day).
    static let pendingActionRetentionMilliseconds: Int64 = 86_400_000

    public func savePendingAction(_ action: StoredPendingAction, target: String) throws(StoreError) {
        try ready()
        let now = WallClock.nowMilliseconds()
        try database.run("DELETE FROM pending_actions WHERE expires_at < $1",
                         [.integer(now - Self.pendingActionRetentionMilliseconds)])
        try database.run("""
            INSERT INTO pending_actions (id, user_id, tool, arguments, impact, created_at, expires_at, used_at, target)
            VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8)
            """, [.text(action.id), .text(action.userId), .text(action.tool), .text(action.arguments),
                  .text(action.impact.serialized()), .integer(now), .integer(action.expiresAt), .text(target)])
    }

    public func consumePendingAction(id: String, userId: String, tool: String, arguments: String, target: String,
                                     nowMilliseconds: Int64) throws(StoreError) -> StoredPendingAction? {
        try ready()
        let rows = try database.rows("""
            UPDATE pending_actions SET used_at = $5
            WHERE id = $1 AND user_id = $2 AND tool = $3 AND arguments = $4 AND target = $6
              AND used_at IS NULL AND expires_at > $5
            RETURNING id, user_id, tool, arguments, impact, expires_at
            """, [.text(id), .text(userId), .text(tool), .text(arguments), .integer(nowMilliseconds), .text(target)])
        guard let row = rows.first, row.count == 6 else { return nil }
        let impact = row[4].text.flatMap { try? JSONValue.parse($0) } ?? .null
        return StoredPendingAction(id: row[0].text ?? id, userId: row[1].text ?? userId, tool: row[2].text ?? tool,
                                   arguments: row[3].text ?? arguments, impact: impact, expiresAt: row[5].integer ?? 0)
    }

    public func pendingActionTarget(id: String) throws(StoreError) -> String? {
        try ready()
        let rows = try database.rows("SELECT target FROM pending_actions WHERE id = $1", [.text(id)])
        return rows.first?.first?.text
    }
}
