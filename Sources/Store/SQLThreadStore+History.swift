/// A user's history for exports, read with keyset paging (`WHERE (created_at, id) > cursor … LIMIT`), so
/// each page costs the same however deep into the history it is.
extension SQLThreadStore: HistoryStore {
    public func historyThreads(userId: String, after cursor: HistoryCursor?, limit: Int) throws(StoreError) -> [HistoryThread] {
        try ready()
        let after = cursor ?? HistoryCursor(createdAt: Int64.min, id: "")
        return try database.rows("""
            SELECT \(Self.threadColumns), deleted_at FROM threads
            WHERE user_id = $1 AND (created_at > $2 OR (created_at = $2 AND id > $3))
            ORDER BY created_at, id LIMIT $4
            """, [.text(userId), .integer(after.createdAt), .text(after.id), .integer(Int64(max(limit, 1)))]).map { row in
            HistoryThread(thread: Self.thread(row), deletedAt: row[6].integer)
        }
    }

    public func historyMessages(threadId: String, afterSeq: Int64, limit: Int) throws(StoreError) -> [MessageRecord] {
        try ready()
        return try database.rows("""
            SELECT \(Self.messageColumns) FROM messages WHERE thread_id = $1 AND seq > $2 ORDER BY seq LIMIT $3
            """, [.text(threadId), .integer(afterSeq), .integer(Int64(max(limit, 1)))]).map(Self.messageRecord)
    }

    public func historyRuns(threadId: String, after cursor: HistoryCursor?, limit: Int) throws(StoreError) -> [HistoryRun] {
        try ready()
        let after = cursor ?? HistoryCursor(createdAt: Int64.min, id: "")
        return try database.rows("""
            SELECT id, project_ref, status, model, assistant_version, rounds, input_tokens, output_tokens, response,
                   error_code, error_message, created_at, started_at, completed_at
            FROM runs WHERE thread_id = $1 AND (created_at > $2 OR (created_at = $2 AND id > $3))
            ORDER BY created_at, id LIMIT $4
            """, [.text(threadId), .integer(after.createdAt), .text(after.id), .integer(Int64(max(limit, 1)))]).map { row in
            HistoryRun(id: row[0].text ?? "", projectRef: row[1].text, status: row[2].text ?? "", model: row[3].text,
                       assistantVersion: row[4].integer, rounds: row[5].integer ?? 0, inputTokens: row[6].integer ?? 0,
                       outputTokens: row[7].integer ?? 0, response: row[8].text, errorCode: row[9].text,
                       errorMessage: row[10].text, createdAt: row[11].integer ?? 0, startedAt: row[12].integer,
                       completedAt: row[13].integer)
        }
    }
}
