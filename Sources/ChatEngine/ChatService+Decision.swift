import Platform
import Store
import ToolsCore

extension ChatService {
    /// Takes over the run waiting for `actionId` to carry out the user's decision: the approved call runs (or
    /// the model is told the user declined), then the calls of the same turn after it, then the loop goes on.
    func decide(actionId: String, approved: Bool, _ command: ChatCommand) throws(ChatError) -> ChatStart {
        try requireModel()
        let target = try chatTarget(command)
        let thread = try chatThread(command)
        try clearStaleRun(thread, answering: true)
        let notFound = ChatError(.actionNotFound,
                                 "No action \(actionId) is waiting for approval on this thread (it may have expired or been answered).")
        guard let waiting = try withStore("read run", { () throws(StoreError) in try store.activeRun(threadId: thread.id) }),
              waiting.status == .requiresAction, waiting.pendingActionId == actionId, let callId = waiting.pendingCallId else {
            throw notFound
        }
        // Checked here as well as where the tool consumes the approval, so that a mismatch leaves the run waiting.
        if approved {
            let asked = try withStore("read action") { () throws(StoreError) in try store.pendingActionTarget(id: actionId) }
            guard asked == target.approvals.key else {
                throw ChatError(.invalidApproval, """
                    Action \(actionId) was asked for another database or project; approve it with the connectionString and \
                    projectRef it was asked with, or reject it. Nothing was done.
                    """)
            }
        }
        let deadlineAt = WallClock.nowMilliseconds() + Int64(configuration.chat.deadlineMilliseconds)
        guard try withStore("resume run", { () throws(StoreError) in
            try store.resumeRun(id: waiting.id, actionId: actionId, worker: WorkerIdentity.current, deadlineAt: deadlineAt)
        }) else {
            throw ChatError(.runInProgress, "This action is already being answered by another request.")
        }
        holdRunLock(waiting.id)
        let messages: [MessageRecord]
        let runTurns: [String]
        let assistant: AssistantRecord?
        do throws(ChatError) {
            messages = try withStore("read messages") { () throws(StoreError) in
                try store.recentMessages(threadId: thread.id, limit: configuration.chat.historyMessageLimit)
            }
            runTurns = try withStore("read calls") { () throws(StoreError) in
                try store.toolCalls(threadId: thread.id, runId: waiting.id)
            }
            assistant = try withStore("read assistant") { () throws(StoreError) in try store.assistant() }
        } catch {
            abandonRun(waiting.id, code: error.code.rawValue, message: error.message)
            return .failedAfterCommit(error)
        }
        guard let turn = ResumedTurn(callId: callId, messages: messages, runTurns: runTurns, settings: configuration.chat) else {
            abandonRun(waiting.id, code: "call_not_found", message: "The call awaiting approval is no longer in the thread.")
            return .failedAfterCommit(notFound)
        }
        logger.info(approved ? "action approved" : "action rejected",
                    metadata: ["action": "\(actionId)", "tool": "\(turn.call.name)", "run_id": "\(waiting.id)"])
        let resumption = PreparedRun.Resumption(call: turn.call, actionId: actionId, approved: approved, rest: turn.rest)
        return .run(PreparedRun(service: self, thread: thread, run: waiting, plan: makePlan(command, assistant: assistant, target: target),
                                history: messages, ranToolCalls: turn.ranToolCalls, resumption: resumption))
    }

    /// Cancels a run. A run waiting for approval has its call answered "cancelled"; a run in progress stops
    /// at its next step. Cancelling a run that already ended answers its final status.
    func cancel(runId: String, _ command: ChatCommand) throws(ChatError) -> ChatReply {
        let thread = try chatThread(command)
        guard let run = try withStore("read run", { () throws(StoreError) in try store.run(id: runId, threadId: thread.id) }) else {
            throw ChatError(.runNotFound, "There is no run \(runId) on this thread.")
        }
        var status = run.status
        if run.status.isActive {
            let cancelled = try withStore("cancel run") { () throws(StoreError) in
                try store.finishRun(id: run.id, status: .cancelled, response: nil, errorCode: "cancelled_by_user",
                                    errorMessage: "The user cancelled the run.")
            }
            if cancelled {
                status = .cancelled
                if run.status == .requiresAction {
                    _ = try closeUnansweredCalls(thread, reason: "The user cancelled the run; this call was not carried out.")
                }
                logger.info("run cancelled", metadata: ["run_id": "\(run.id)"])
            } else {
                status = (try? store.run(id: runId, threadId: thread.id))?.status ?? status
            }
        }
        return ChatReply(threadId: thread.id, runId: run.id, status: status, response: run.response ?? "", toolCalls: [],
                         inputTokens: Int(run.inputTokens), outputTokens: Int(run.outputTokens), pendingAction: nil, failure: nil)
    }
}
