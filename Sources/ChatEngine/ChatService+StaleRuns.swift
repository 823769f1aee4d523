import Platform
import Store
import ToolsCore

extension ChatService {
    /// Ends the thread's active run when its worker is gone or its deadline (or approval) ran out; a live run
    /// refuses: `action_pending` while it waits for approval (unless `answering` that approval), else `run_in_progress`.
    func clearStaleRun(_ thread: ThreadRecord, answering: Bool = false) throws(ChatError) {
        guard let active = try withStore("read run", { () throws(StoreError) in try store.activeRun(threadId: thread.id) }) else {
            return
        }
        let now = WallClock.nowMilliseconds()
        let workerGone = active.status == .inProgress ? try driverIsGone(active) : false
        let pastDeadline = (active.deadlineAt ?? Int64.max) < now
        guard workerGone || pastDeadline else {
            if active.status == .requiresAction {
                if answering { return }
                throw ChatError(.actionPending, """
                    This thread waits for your decision on action \(active.pendingActionId ?? "?") (run \(active.id)); \
                    approve or reject it, or cancel the run, before sending a new message.
                    """)
            }
            throw ChatError(.runInProgress,
                            "This thread already has a run in progress (\(active.id)); wait for it to finish or cancel it.")
        }
        let code = workerGone ? "worker_lost" : (active.status == .requiresAction ? "approval_expired" : "deadline_passed")
        let expired = try withStore("expire run") { () throws(StoreError) in
            try store.finishRun(id: active.id, status: .expired, response: nil, errorCode: code,
                                errorMessage: workerGone ? "The worker running it stopped." : "It ran past its deadline.")
        }
        if expired {
            logger.warning("expired an abandoned run", metadata: ["run_id": "\(active.id)", "reason": "\(code)"])
            _ = try closeUnansweredCalls(thread, reason: code == "approval_expired"
                                     ? "The approval for this call expired; it was not carried out."
                                     : "The tool call was interrupted before it finished; it may not have taken effect.")
        }
    }

    /// Whether the worker driving an in-progress run has died: by its pid when it ran on this host, else by
    /// its run lock in a PostgreSQL store (released by the server when the worker's connection or process died).
    private func driverIsGone(_ run: RunRecord) throws(ChatError) -> Bool {
        guard let worker = run.worker else { return false }
        if WorkerIdentity.isLocal(worker) { return WorkerIdentity.isGone(worker) }
        return try withStore("check run lock") { () throws(StoreError) in try store.runLockIsFree(runId: run.id) } ?? false
    }

    /// Ends a run this request took but cannot drive (the store failed while preparing it), and lets go of its lock.
    func abandonRun(_ runId: String, code: String, message: String) {
        logger.warning("chat request failed after its run started", metadata: ["code": "\(code)"])
        do {
            _ = try store.finishRun(id: runId, status: .failed, response: nil, errorCode: code, errorMessage: message)
        } catch {
            resources.runEnds?.add(RunEndRetrier.Ending(
                runId: runId, status: .failed, errorCode: code, errorMessage: message,
                giveUpAt: WallClock.nowMilliseconds() + Int64(configuration.chat.deadlineMilliseconds)))
        }
        resources.runLocks?.release(runId: runId)
    }

    /// Stores an error result for every call in the thread's recent messages that has none, and returns those
    /// messages with the results added (newest last, at most CHAT_HISTORY_MESSAGES): the history of the next round.
    func closeUnansweredCalls(_ thread: ThreadRecord, reason: String) throws(ChatError) -> [MessageRecord] {
        var messages = try withStore("read messages") { () throws(StoreError) in
            try store.recentMessages(threadId: thread.id, limit: configuration.chat.historyMessageLimit)
        }
        for call in ChatHistory.unansweredCalls(in: messages) {
            let error = ToolError(ToolError.Code(rawValue: "interrupted"), reason)
            let message = NewMessage(role: "tool", toolCallId: call.id,
                                     toolResult: ToolResult.failure(error).json.serialized(), toolName: call.name)
            messages.append(try withStore("close call") { () throws(StoreError) in
                try store.appendRunMessage(threadId: thread.id, message)
            })
        }
        return Array(messages.suffix(configuration.chat.historyMessageLimit))
    }
}
