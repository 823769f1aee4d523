import Logs
import Platform
import Policies
import Store

extension ChatService {
    /// Starts a run for a new user message: the message and the run are stored in one transaction, the run's
    /// lock is taken, and calls a dead worker left without a result are answered first.
    func startMessage(_ text: String, _ command: ChatCommand) throws(ChatError) -> ChatStart {
        try requireModel()
        let target = try chatTarget(command)
        let thread = try chatThread(command)
        let assistant = try withStore("read assistant") { () throws(StoreError) in try store.assistant() }
        try clearStaleRun(thread)
        try countRun(command)
        let newRun = NewRun(threadId: thread.id, userId: command.userId, projectRef: command.projectRef,
                            worker: WorkerIdentity.current, assistantVersion: assistant?.version,
                            model: assistant?.model ?? configuration.defaultModel,
                            deadlineAt: WallClock.nowMilliseconds() + Int64(configuration.chat.deadlineMilliseconds))
        guard let started = try withStore("start run", { () throws(StoreError) in
            try store.startRun(newRun, userMessage: text)
        }) else {
            throw ChatError(.runInProgress, "This thread already has a run in progress; wait for it to finish or cancel it.")
        }
        holdRunLock(started.run.id)
        // Calls a dead worker left without a result are answered now, so the model never sees an unanswered call.
        let history: [MessageRecord]
        do throws(ChatError) {
            history = try closeUnansweredCalls(thread, reason: "The tool call was interrupted before it finished (its worker stopped); "
                                               + "it may not have taken effect. Check before repeating it.")
        } catch {
            abandonRun(started.run.id, code: error.code.rawValue, message: error.message)
            return .failedAfterCommit(error)
        }
        let plan = makePlan(command, assistant: assistant, target: target)
        return .run(PreparedRun(service: self, thread: thread, run: started.run, plan: plan, history: history))
    }

    /// The thread the command continues: the given one (`thread_not_found` when it is not this user's live
    /// thread), else the user's current thread, created when there is none.
    func chatThread(_ command: ChatCommand) throws(ChatError) -> ThreadRecord {
        if let threadId = command.threadId {
            guard let thread = try withStore("read thread", { () throws(StoreError) in
                try store.thread(id: threadId, userId: command.userId)
            }) else {
                throw ChatError(.threadNotFound, "There is no thread \(threadId) for this user.")
            }
            return thread
        }
        return try withStore("get thread") { () throws(StoreError) in
            try store.currentOrNewThread(userId: command.userId, projectRef: command.projectRef)
        }
    }

    /// Counts a new run against the user's limits; over a limit is `rate_limited` (audited).
    private func countRun(_ command: ChatCommand) throws(ChatError) {
        let limiter = RateLimiter(settings: configuration.rateLimits, store: store)
        let decision = try withStore("count run") { () throws(StoreError) in try limiter.checkAndCountRun(userId: command.userId) }
        guard case .refused(let refusal) = decision else { return }
        do {
            try store.record(AuditEvent(kind: .rateLimited, userId: command.userId, projectRef: command.projectRef), logger: logger)
        } catch {
            logger.error("could not store an audit event", metadata: ["error": "\(error.debugDescription)"])
        }
        throw ChatError(refusal)
    }

    /// Takes the run's lock (PostgreSQL store) the moment it is this worker's, before the slower steps that
    /// prepare the run, so other hosts never mistake it for abandoned; the drive releases it.
    func holdRunLock(_ runId: String) {
        RequestLogContext.current?.runID = runId
        guard let locks = resources.runLocks, !locks.hold(runId: runId) else { return }
        logger.warning("could not take the run lock now; retrying in the background", metadata: ["run_id": "\(runId)"])
    }
}
