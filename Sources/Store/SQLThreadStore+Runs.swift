import Platform

/// Runs on the SQL store. The partial unique index `runs_one_active_per_thread` makes "one active
/// run per thread" a fact of the database, not of timing; each transition is a conditional UPDATE.
extension SQLThreadStore: RunStore {
    private static let runColumns = """
        id, thread_id, user_id, status, worker, assistant_version, model, rounds, input_tokens, output_tokens,
        pending_action_id, pending_call_id, response, error_code, error_message, created_at, deadline_at
        """
    private static let activeStatuses = "('queued', 'in_progress', 'requires_action')"

    public func thread(id: String, userId: String) throws(StoreError) -> ThreadRecord? {
        try ready()
        return try database.rows(
            "SELECT \(Self.threadColumns) FROM threads WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL",
            [.text(id), .text(userId)]
        ).first.map(Self.thread)
    }

    public func activeRun(threadId: String) throws(StoreError) -> RunRecord? {
        try ready()
        return try database.rows("SELECT \(Self.runColumns) FROM runs WHERE thread_id = $1 AND status IN \(Self.activeStatuses)",
                                 [.text(threadId)]).first.map(Self.runRecord)
    }

    public func run(id: String, threadId: String) throws(StoreError) -> RunRecord? {
        try ready()
        return try database.rows("SELECT \(Self.runColumns) FROM runs WHERE id = $1 AND thread_id = $2",
                                 [.text(id), .text(threadId)]).first.map(Self.runRecord)
    }

    public func startRun(_ run: NewRun, userMessage: String?) throws(StoreError) -> (run: RunRecord, message: MessageRecord?)? {
        try ready()
        let id = Identifier.make("run")
        return try database.transaction { () throws(StoreError) -> (run: RunRecord, message: MessageRecord?)? in
            let now = WallClock.nowMilliseconds()
            let inserted = try database.run("""
                INSERT INTO runs (id, thread_id, user_id, project_ref, status, worker, assistant_version, model,
                                  created_at, started_at, deadline_at)
                VALUES ($1, $2, $3, $4, 'in_progress', $5, $6, $7, $8, $8, $9) ON CONFLICT DO NOTHING
                """, [.text(id), .text(run.threadId), .text(run.userId), Self.optional(run.projectRef), .text(run.worker),
                      run.assistantVersion.map(SQLValue.integer) ?? .null, .text(run.model), .integer(now),
                      .integer(run.deadlineAt)])
            guard inserted > 0 else { return nil }
            var message: MessageRecord?
            if let userMessage {
                message = try appendInTransaction(threadId: run.threadId, NewMessage(role: "user", content: userMessage, runId: id))
            }
            guard let record = try database.rows("SELECT \(Self.runColumns) FROM runs WHERE id = $1", [.text(id)])
                .first.map(Self.runRecord) else {
                throw StoreError(.failed, "the new run was not readable after insert")
            }
            return (record, message)
        }
    }

    public func resumeRun(id: String, actionId: String, worker: String, deadlineAt: Int64) throws(StoreError) -> Bool {
        try ready()
        return try database.run("""
            UPDATE runs SET status = 'in_progress', worker = $3, deadline_at = $4, pending_action_id = NULL, pending_call_id = NULL
            WHERE id = $1 AND status = 'requires_action' AND pending_action_id = $2
            """, [.text(id), .text(actionId), .text(worker), .integer(deadlineAt)]) > 0
    }

    public func pauseRun(id: String, actionId: String, callId: String, deadlineAt: Int64) throws(StoreError) -> Bool {
        try ready()
        return try database.run("""
            UPDATE runs SET status = 'requires_action', worker = NULL, pending_action_id = $2, pending_call_id = $3,
                            deadline_at = $4
            WHERE id = $1 AND status = 'in_progress'
            """, [.text(id), .text(actionId), .text(callId), .integer(deadlineAt)]) > 0
    }

    public func finishRun(id: String, status: RunStatus, response: String?, errorCode: String?,
                          errorMessage: String?) throws(StoreError) -> Bool {
        try ready()
        return try database.run("""
            UPDATE runs SET status = $2, response = $3, error_code = $4, error_message = $5, completed_at = $6,
                            worker = NULL
            WHERE id = $1 AND status IN \(Self.activeStatuses)
            """, [.text(id), .text(status.rawValue), Self.optional(response), Self.optional(errorCode),
                  Self.optional(errorMessage), .integer(WallClock.nowMilliseconds())]) > 0
    }

    public func recordRound(id: String, inputTokens: Int, outputTokens: Int) throws(StoreError) {
        try ready()
        try database.run("""
            UPDATE runs SET rounds = rounds + 1, input_tokens = input_tokens + $2, output_tokens = output_tokens + $3
            WHERE id = $1
            """, [.text(id), .integer(Int64(inputTokens)), .integer(Int64(outputTokens))])
    }

    public func appendRunMessage(threadId: String, _ message: NewMessage) throws(StoreError) -> MessageRecord {
        try ready()
        return try database.transaction { () throws(StoreError) -> MessageRecord in
            if let runId = message.runId {
                // Fenced: a driver that lost its run (expired by another host while the store restarted,
                // cancelled) writes nothing more into the thread. PostgreSQL: the row lock makes a concurrent
                // finishRun wait for this append; SQLite: BEGIN IMMEDIATE already excludes other writers.
                let lock = database.kind == .postgres ? " FOR SHARE" : ""
                let active = try database.rows("SELECT 1 FROM runs WHERE id = $1 AND status = 'in_progress'\(lock)",
                                                [.text(runId)])
                guard !active.isEmpty else {
                    throw StoreError(.runNotActive, "run \(runId) is no longer in progress; its message was not stored")
                }
            }
            return try appendInTransaction(threadId: threadId, message)
        }
    }

    public func atomically<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try ready()
        return try database.transaction(body)
    }

    public func recentMessages(threadId: String, limit: Int) throws(StoreError) -> [MessageRecord] {
        try ready()
        return try database.rows("""
            SELECT \(Self.messageColumns) FROM messages WHERE thread_id = $1 ORDER BY seq DESC LIMIT $2
            """, [.text(threadId), .integer(Int64(max(limit, 1)))]).reversed().map(Self.messageRecord)
    }

    public func toolCalls(threadId: String, runId: String) throws(StoreError) -> [String] {
        try ready()
        return try database.rows("""
            SELECT tool_calls FROM messages
            WHERE thread_id = $1 AND run_id = $2 AND role = 'assistant' AND tool_calls IS NOT NULL ORDER BY seq
            """, [.text(threadId), .text(runId)]).compactMap { $0[0].text }
    }

    /// Appends inside the caller's transaction. Taking the next position by updating the thread row
    /// serializes appends per thread (a row lock in PostgreSQL, the write lock in SQLite).
    func appendInTransaction(threadId: String, _ message: NewMessage) throws(StoreError) -> MessageRecord {
        let now = WallClock.nowMilliseconds()
        let id = Identifier.make("msg")
        let rows = try database.rows("""
            UPDATE threads SET message_count = message_count + 1, updated_at = $2
            WHERE id = $1 AND deleted_at IS NULL RETURNING message_count
            """, [.text(threadId), .integer(now)])
        guard let seq = rows.first?.first?.integer else {
            throw StoreError(.notFound, "no live thread \(threadId)")
        }
        try database.run("""
            INSERT INTO messages (thread_id, seq, id, role, content, tool_calls, tool_call_id, tool_result, run_id, created_at,
                                  provider_items, tool_name, duration_ms)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            """, [.text(threadId), .integer(seq), .text(id), .text(message.role), Self.optional(message.content),
                  Self.optional(message.toolCalls), Self.optional(message.toolCallId), Self.optional(message.toolResult),
                  Self.optional(message.runId), .integer(now), Self.optional(message.providerItems),
                  Self.optional(message.toolName), message.durationMs.map(SQLValue.integer) ?? .null])
        return MessageRecord(id: id, seq: seq, role: message.role, content: message.content, toolCalls: message.toolCalls,
                             toolCallId: message.toolCallId, toolResult: message.toolResult, runId: message.runId,
                             createdAt: now, providerItems: message.providerItems, toolName: message.toolName,
                             durationMs: message.durationMs)
    }

    static func messageRecord(_ row: SQLRow) -> MessageRecord {
        MessageRecord(id: row[0].text ?? "", seq: row[1].integer ?? 0, role: row[2].text ?? "", content: row[3].text,
                      toolCalls: row[4].text, toolCallId: row[5].text, toolResult: row[6].text, runId: row[7].text,
                      createdAt: row[8].integer ?? 0, providerItems: row[9].text, toolName: row[10].text,
                      durationMs: row[11].integer)
    }

    private static func runRecord(_ row: SQLRow) -> RunRecord {
        RunRecord(id: row[0].text ?? "", threadId: row[1].text ?? "", userId: row[2].text ?? "",
                  status: RunStatus(rawValue: row[3].text ?? "") ?? .failed, worker: row[4].text,
                  assistantVersion: row[5].integer, model: row[6].text, rounds: Int(row[7].integer ?? 0),
                  inputTokens: row[8].integer ?? 0, outputTokens: row[9].integer ?? 0, pendingActionId: row[10].text,
                  pendingCallId: row[11].text, response: row[12].text, errorCode: row[13].text, errorMessage: row[14].text,
                  createdAt: row[15].integer ?? 0, deadlineAt: row[16].integer)
    }

    // MARK: Run locks

    public func runLockIsFree(runId: String) throws(StoreError) -> Bool? {
        guard database.kind == .postgres else { return nil }
        // A server that started moments ago freed every lock; their drivers take them again within seconds
        // (RunLockKeeper), so until then a free lock proves nothing.
        let key = RunLockKey(runId: runId).parameters
        let rows = try database.rows("""
            SELECT CASE WHEN pg_postmaster_start_time() > clock_timestamp() - $3::bigint * interval '1 millisecond' THEN NULL
                        WHEN pg_try_advisory_lock($1::int, $2::int) THEN pg_advisory_unlock($1::int, $2::int)
                        ELSE false END
            """, [.text(key[0]), .text(key[1]), .integer(RunLockKey.retakeWindowMilliseconds)])
        return rows.first?.first?.text.map { $0 == "t" || $0 == "true" || $0 == "1" }
    }
}
