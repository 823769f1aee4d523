/// Idempotency keys in the store's `idempotency_keys` table (migration 5).
///
/// Claiming is `INSERT … ON CONFLICT DO NOTHING` on the primary key (user, key): on PostgreSQL a racing
/// insert waits for the winner's commit and then does nothing, on SQLite the write lock serializes them,
/// so exactly one request runs. Taking over a dead claim is one conditional `UPDATE`, re-checked against
/// the row's latest version, so it too happens once.
extension SQLThreadStore: IdempotencyStore {
    public func claimIdempotencyKey(userId: String, key: String, requestHash: String, now: Int64,
                                    runningTimeoutMilliseconds: Int64) throws(StoreError) -> IdempotencyClaim {
        try ready()
        let forgottenBefore = now - IdempotencyRetention.milliseconds
        try database.run("DELETE FROM idempotency_keys WHERE created_at < $1", [.integer(forgottenBefore)])
        let identity: [SQLValue] = [.text(userId), .text(key), .text(requestHash), .integer(now)]
        // A row can vanish between the writes and the read (released or forgotten meanwhile): try again.
        for _ in 0..<3 {
            let inserted = try database.run("""
                INSERT INTO idempotency_keys (user_id, key, request_hash, status, created_at)
                VALUES ($1, $2, $3, 'running', $4) ON CONFLICT DO NOTHING
                """, identity)
            if inserted > 0 { return .claimed(at: now) }
            let retaken = try database.run("""
                UPDATE idempotency_keys
                SET request_hash = $3, status = 'running', response_status = NULL, response_body = NULL, created_at = $4
                WHERE user_id = $1 AND key = $2
                  AND (created_at < $5 OR (status = 'running' AND request_hash = $3 AND created_at < $6))
                """, identity + [.integer(forgottenBefore), .integer(now - runningTimeoutMilliseconds)])
            if retaken > 0 { return .claimed(at: now) }
            guard let row = try database.rows("""
                SELECT request_hash, status, response_status, response_body FROM idempotency_keys
                WHERE user_id = $1 AND key = $2
                """, [.text(userId), .text(key)]).first else { continue }
            if row[0].text != requestHash { return .mismatch }
            if row[1].text == "done", let status = row[2].integer, let body = row[3].text {
                return .replay(IdempotentResponse(status: Int(status), body: body))
            }
            return .inProgress
        }
        return .inProgress
    }

    @discardableResult
    public func completeIdempotencyKey(userId: String, key: String, claimedAt: Int64,
                                       response: IdempotentResponse) throws(StoreError) -> Bool {
        try ready()
        return try database.run("""
            UPDATE idempotency_keys SET status = 'done', response_status = $4, response_body = $5
            WHERE user_id = $1 AND key = $2 AND created_at = $3 AND status = 'running'
            """, [.text(userId), .text(key), .integer(claimedAt), .integer(Int64(response.status)), .text(response.body)]) > 0
    }

    public func releaseIdempotencyKey(userId: String, key: String, claimedAt: Int64) throws(StoreError) {
        try ready()
        try database.run("""
            DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND created_at = $3 AND status = 'running'
            """, [.text(userId), .text(key), .integer(claimedAt)])
    }
}
