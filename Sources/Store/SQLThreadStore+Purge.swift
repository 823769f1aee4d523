#if canImport(Glibc)
import Glibc
#endif
import Platform

/// Retention for the thread store (`pgassist purge`): threads deleted longer ago than a cutoff go for good,
/// with everything that belongs to them; old audit events go on request.
///
/// Every statement deletes at most one batch of rows and commits on its own, so a big purge never holds
/// a lock for long (on SQLite the whole database's write lock, which workers need for every message),
/// and a purge that is interrupted simply continues next time: a thread row goes last, after its rows.
extension SQLThreadStore {
    /// The deleted threads in scope: `$1` is the cutoff.
    private static let purgedThreads = "SELECT id FROM threads WHERE deleted_at IS NOT NULL AND deleted_at < $1"

    /// Removes the threads deleted before `cutoff` (milliseconds since the epoch) with their messages, runs, the
    /// approvals those runs waited for and their users' idempotency keys from before the deletion; also
    /// approvals expired before `cutoff` and idempotency keys past their 24 hours. `batchSize` rows per
    /// statement, `pauseMilliseconds` between statements so workers get the store in between. With `dryRun`,
    /// only counts.
    public func purgeDeletedThreads(before cutoff: Int64, now: Int64, batchSize: Int, pauseMilliseconds: Int = 0,
                                    dryRun: Bool) throws(StoreError) -> PurgeCounts {
        try ready()
        let keysForgottenBefore = now - IdempotencyRetention.milliseconds
        if dryRun { return try countPurge(before: cutoff, keysForgottenBefore: keysForgottenBefore) }
        var counts = PurgeCounts()
        let batchSize = max(batchSize, 1)
        let batch = SQLValue.integer(Int64(batchSize))
        /// Runs a batch delete until a batch comes back short.
        func repeatedly(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> Int {
            var total = 0
            while true {
                let deleted = try database.run(sql, parameters)
                total += deleted
                if deleted < batchSize { return total }
                Sleep.milliseconds(pauseMilliseconds)
            }
        }
        while true {
            let threads = try database.rows("\(Self.purgedThreads) ORDER BY deleted_at, id LIMIT $2", [.integer(cutoff), batch])
            if threads.isEmpty { break }
            for row in threads {
                guard let id = row[0].text else { continue }
                let thread = SQLValue.text(id)
                counts.messages += try repeatedly("""
                    DELETE FROM messages WHERE thread_id = $1 AND seq IN (
                        SELECT seq FROM messages WHERE thread_id = $1 ORDER BY seq LIMIT $2)
                    """, [thread, batch])
                counts.pendingActions += try database.run("""
                    DELETE FROM pending_actions WHERE id IN (
                        SELECT pending_action_id FROM runs WHERE thread_id = $1 AND pending_action_id IS NOT NULL)
                    """, [thread])
                counts.runs += try repeatedly("""
                    DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE thread_id = $1 ORDER BY created_at, id LIMIT $2)
                    """, [thread, batch])
                // Keys used before the thread was deleted may replay answers that name it.
                counts.idempotencyKeys += try database.run("""
                    DELETE FROM idempotency_keys WHERE (user_id, key) IN (
                        SELECT k.user_id, k.key FROM idempotency_keys k JOIN threads t ON t.user_id = k.user_id
                        WHERE t.id = $1 AND k.created_at <= t.deleted_at)
                    """, [thread])
                counts.threads += try database.run("DELETE FROM threads WHERE id = $1 AND deleted_at IS NOT NULL", [thread])
                Sleep.milliseconds(pauseMilliseconds)
            }
        }
        counts.pendingActions += try repeatedly("""
            DELETE FROM pending_actions WHERE id IN (SELECT id FROM pending_actions WHERE expires_at < $1 ORDER BY expires_at LIMIT $2)
            """, [.integer(cutoff), batch])
        counts.idempotencyKeys += try repeatedly("""
            DELETE FROM idempotency_keys WHERE (user_id, key) IN (
                SELECT user_id, key FROM idempotency_keys WHERE created_at < $1 ORDER BY created_at LIMIT $2)
            """, [.integer(keysForgottenBefore), batch])
        return counts
    }

    /// Deletes audit events older than `cutoff` (milliseconds since the epoch), `batchSize` per statement;
    /// returns how many (with `dryRun`, how many there are).
    public func purgeAuditEvents(before cutoff: Int64, batchSize: Int, pauseMilliseconds: Int = 0,
                                 dryRun: Bool) throws(StoreError) -> Int {
        try ready()
        if dryRun { return try count("SELECT COUNT(*) FROM audit_events WHERE created_at < $1", [.integer(cutoff)]) }
        let batchSize = max(batchSize, 1)
        var total = 0
        while true {
            let deleted = try database.run("""
                DELETE FROM audit_events WHERE id IN (
                    SELECT id FROM audit_events WHERE created_at < $1 ORDER BY created_at LIMIT $2)
                """, [.integer(cutoff), .integer(Int64(batchSize))])
            total += deleted
            if deleted < batchSize { return total }
            Sleep.milliseconds(pauseMilliseconds)
        }
    }

    private func countPurge(before cutoff: Int64, keysForgottenBefore: Int64) throws(StoreError) -> PurgeCounts {
        let parameters: [SQLValue] = [.integer(cutoff)]
        var counts = PurgeCounts()
        counts.threads = try count("SELECT COUNT(*) FROM (\(Self.purgedThreads)) t", parameters)
        counts.messages = try count("SELECT COUNT(*) FROM messages WHERE thread_id IN (\(Self.purgedThreads))", parameters)
        counts.runs = try count("SELECT COUNT(*) FROM runs WHERE thread_id IN (\(Self.purgedThreads))", parameters)
        counts.pendingActions = try count("""
            SELECT COUNT(*) FROM pending_actions WHERE expires_at < $1 OR id IN (
                SELECT pending_action_id FROM runs WHERE thread_id IN (\(Self.purgedThreads)))
            """, parameters)
        counts.idempotencyKeys = try count("""
            SELECT COUNT(*) FROM idempotency_keys k WHERE k.created_at < $2 OR EXISTS (
                SELECT 1 FROM threads t WHERE t.user_id = k.user_id AND t.deleted_at IS NOT NULL AND t.deleted_at < $1
                  AND k.created_at <= t.deleted_at)
            """, parameters + [.integer(keysForgottenBefore)])
        return counts
    }

    private func count(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> Int {
        Int(try database.rows(sql, parameters).first?.first?.integer ?? 0)
    }

}
