import HTTP
import JSON
import Logs
import Model
import Tools
import Platform

extension AssistantAPI {
    /// `POST /chat`: a new message (runs the model and its tools), an approval or rejection of the pending
    /// action of a run waiting for one, or the cancellation of a run. Answers JSON, or server-sent events
    /// with `"stream": true` or `Accept: text/event-stream`.
    /// With an `Idempotency-Key` header, a retry gets the first request's answer (see `idempotently`).
    func chat(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let body = try JSONBody(request: request)
        let chat = try ChatRequest(body: body, maxMessageCharacters: configuration.maxMessageCharacters,
                                   authenticatedUser: request.authenticatedUser)
        let stream = chat.stream || (request.header("accept")?.lowercased().contains("text/event-stream") ?? false)
        guard let key = try IdempotencyKey(request: request) else { return try answer(chat, stream: stream) }
        return try idempotently(key, userId: chat.userId, body: body, stream: stream) { () throws(APIError) in
            try answer(chat, stream: stream)
        }
    }

    /// The answer to a validated chat request, whatever it asks for.
    private func answer(_ chat: ChatRequest, stream: Bool) throws(APIError) -> HTTPResponse {
        switch chat.intent {
        case .cancel(let runId):
            return try cancel(runId: runId, chat)
        case .message(let text):
            try requireModel()
            let target = try chatTarget(chat)
            let thread = try chatThread(chat)
            let assistant = try withStore("read assistant") { () throws(StoreError) in try store.assistant() }
            try clearStaleRun(thread)
            try countRun(chat)
            let newRun = NewRun(threadId: thread.id, userId: chat.userId, projectRef: chat.projectRef, worker: WorkerIdentity.current,
                                assistantVersion: assistant?.version, model: assistant?.model ?? configuration.defaultModel,
                                deadlineAt: WallClock.nowMilliseconds() + Int64(configuration.chat.deadlineMilliseconds))
            guard let started = try withStore("start run", { () throws(StoreError) in
                try store.startRun(newRun, userMessage: text)
            }) else {
                throw APIError(status: 409, code: .runInProgress,
                               message: "This thread already has a run in progress; wait for it to finish or cancel it.")
            }
            holdRunLock(started.run.id)
            // Calls a dead worker left without a result are answered now, so the model never sees an unanswered call.
            let history: [MessageRecord]
            do throws(APIError) {
                history = try closeUnansweredCalls(thread, reason: "The tool call was interrupted before it finished (its worker stopped); "
                                                   + "it may not have taken effect. Check before repeating it.")
            } catch {
                abandonRun(started.run.id, code: error.code.rawValue, message: error.message)
                return answerAfterCommit(error)
            }
            let run = makeRun(chat, thread: thread, run: started.run, assistant: assistant, target: target, stream: stream,
                              history: history)
            return respond(run, stream: stream) { run in run.drive() }
        case .approve(let actionId), .reject(let actionId):
            let approved = if case .approve = chat.intent { true } else { false }
            return try decide(actionId: actionId, approved: approved, chat, stream: stream)
        }
    }

    // MARK: Intents

    /// Resumes the run waiting for `actionId`: runs the approved call (or tells the model the user declined),
    /// then the calls of the same turn that came after it, then continues the loop.
    private func decide(actionId: String, approved: Bool, _ chat: ChatRequest, stream: Bool) throws(APIError) -> HTTPResponse {
        try requireModel()
        let target = try chatTarget(chat)
        let thread = try chatThread(chat)
        try clearStaleRun(thread, answering: true)
        let notFound = APIError(status: 404, code: .actionNotFound,
                                message: "No action \(actionId) is waiting for approval on this thread (it may have expired or been answered).")
        guard let waiting = try withStore("read run", { () throws(StoreError) in try store.activeRun(threadId: thread.id) }),
              waiting.status == .requiresAction, waiting.pendingActionId == actionId, let callId = waiting.pendingCallId else {
            throw notFound
        }
        // Checked here as well as where the tool consumes the approval, so that a mismatch leaves the run waiting.
        if approved {
            let asked = try withStore("read action") { () throws(StoreError) in try store.pendingActionTarget(id: actionId) }
            guard asked == target.approvals else { throw APIError.approvalTargetMismatch(actionId) }
        }
        let deadlineAt = WallClock.nowMilliseconds() + Int64(configuration.chat.deadlineMilliseconds)
        guard try withStore("resume run", { () throws(StoreError) in
            try store.resumeRun(id: waiting.id, actionId: actionId, worker: WorkerIdentity.current, deadlineAt: deadlineAt)
        }) else {
            throw APIError(status: 409, code: .runInProgress, message: "This action is already being answered by another request.")
        }
        holdRunLock(waiting.id)
        let messages: [MessageRecord]
        let runTurns: [String]
        let assistant: AssistantRecord?
        do throws(APIError) {
            messages = try withStore("read messages") { () throws(StoreError) in
                try store.recentMessages(threadId: thread.id, limit: configuration.chat.historyMessageLimit)
            }
            runTurns = try withStore("read calls") { () throws(StoreError) in
                try store.toolCalls(threadId: thread.id, runId: waiting.id)
            }
            assistant = try withStore("read assistant") { () throws(StoreError) in try store.assistant() }
        } catch {
            abandonRun(waiting.id, code: error.code.rawValue, message: error.message)
            return answerAfterCommit(error)
        }
        guard let turn = ResumedTurn(callId: callId, messages: messages, runTurns: runTurns, settings: configuration.chat) else {
            abandonRun(waiting.id, code: "call_not_found", message: "The call awaiting approval is no longer in the thread.")
            return answerAfterCommit(notFound)
        }
        let run = makeRun(chat, thread: thread, run: waiting, assistant: assistant, target: target, stream: stream,
                          history: messages, ranToolCalls: turn.ranToolCalls)
        logger.info(approved ? "action approved" : "action rejected",
                    metadata: ["action": "\(actionId)", "tool": "\(turn.call.name)", "run_id": "\(waiting.id)"])
        return respond(run, stream: stream) { run in
            run.drive(first: run.decide(turn.call, actionId: actionId, approved: approved), calls: turn.rest)
        }
    }

    /// Cancels a run. A run waiting for approval has its call answered "cancelled"; a run in progress stops
    /// at its next step. Cancelling a run that already ended answers its final status.
    private func cancel(runId: String, _ chat: ChatRequest) throws(APIError) -> HTTPResponse {
        let thread = try chatThread(chat)
        guard let run = try withStore("read run", { () throws(StoreError) in try store.run(id: runId, threadId: thread.id) }) else {
            throw APIError(status: 404, code: .runNotFound, message: "There is no run \(runId) on this thread.")
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
        let reply = ChatReply(threadId: thread.id, runId: run.id, status: status, response: run.response ?? "", toolCalls: [],
                              inputTokens: Int(run.inputTokens), outputTokens: Int(run.outputTokens), pendingAction: nil,
                              failure: nil)
        return reply.httpResponse
    }

    // MARK: Steps

    /// The thread the request continues: the given one (404 when it is not this user's live thread), else
    /// the user's current thread, created when there is none.
    private func chatThread(_ chat: ChatRequest) throws(APIError) -> ThreadRecord {
        if let threadId = chat.threadId {
            guard let thread = try withStore("read thread", { () throws(StoreError) in
                try store.thread(id: threadId, userId: chat.userId)
            }) else {
                throw APIError(status: 404, code: .threadNotFound, message: "There is no thread \(threadId) for this user.")
            }
            return thread
        }
        return try withStore("get thread") { () throws(StoreError) in
            try store.currentOrNewThread(userId: chat.userId, projectRef: chat.projectRef)
        }
    }

    /// Ends the thread's active run when its worker is gone or its deadline (or approval) ran out; a live
    /// run is a 409: `action_pending` while it waits for approval (unless `answering` that approval), else
    /// `run_in_progress`.
    private func clearStaleRun(_ thread: ThreadRecord, answering: Bool = false) throws(APIError) {
        guard let active = try withStore("read run", { () throws(StoreError) in try store.activeRun(threadId: thread.id) }) else {
            return
        }
        let now = WallClock.nowMilliseconds()
        let workerGone = active.status == .inProgress ? try driverIsGone(active) : false
        let pastDeadline = (active.deadlineAt ?? Int64.max) < now
        guard workerGone || pastDeadline else {
            if active.status == .requiresAction {
                if answering { return }
                throw APIError(status: 409, code: .actionPending, message: """
                    This thread waits for your decision on action \(active.pendingActionId ?? "?") (run \(active.id)); \
                    approve or reject it, or cancel the run, before sending a new message.
                    """)
            }
            throw APIError(status: 409, code: .runInProgress,
                           message: "This thread already has a run in progress (\(active.id)); wait for it to finish or cancel it.")
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
    private func driverIsGone(_ run: RunRecord) throws(APIError) -> Bool {
        guard let worker = run.worker else { return false }
        if WorkerIdentity.isLocal(worker) { return WorkerIdentity.isGone(worker) }
        return try withStore("check run lock") { () throws(StoreError) in try store.runLockIsFree(runId: run.id) } ?? false
    }

    /// Takes the run's lock (PostgreSQL store) the moment it is this worker's, before the slower steps that
    /// prepare the run, so other hosts never mistake it for abandoned; `ChatRun` releases it.
    private func holdRunLock(_ runId: String) {
        RequestLogContext.current?.runID = runId
        guard let locks = resources.runLocks, !locks.hold(runId: runId) else { return }
        logger.warning("could not take the run lock now; retrying in the background", metadata: ["run_id": "\(runId)"])
    }

    /// The answer to a request that failed after it had changed the thread (stored its message and run, or
    /// took over a run): returned, not thrown, so that an idempotent request keeps it as its answer rather
    /// than giving its key back for a retry that would store the message a second time.
    private func answerAfterCommit(_ error: APIError) -> HTTPResponse {
        logger.warning("chat request failed after its run started", metadata: ["status": "\(error.status)",
                                                                             "code": "\(error.code.rawValue)"])
        return HTTPResponse(error: error)
    }

    /// Ends a run this request took but cannot drive (the store failed while preparing it), and lets go of its lock.
    private func abandonRun(_ runId: String, code: String, message: String) {
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
    private func closeUnansweredCalls(_ thread: ThreadRecord, reason: String) throws(APIError) -> [MessageRecord] {
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

    /// Counts a new run against the user's limits; over a limit is 429 `rate_limited` with `Retry-After`.
    private func countRun(_ chat: ChatRequest) throws(APIError) {
        let limiter = RateLimiter(settings: configuration.rateLimits, store: store)
        let decision = try withStore("count run") { () throws(StoreError) in try limiter.checkAndCountRun(userId: chat.userId) }
        guard case .refused(let refusal) = decision else { return }
        do {
            try store.record(AuditEvent(kind: .rateLimited, userId: chat.userId, projectRef: chat.projectRef), logger: logger)
        } catch {
            logger.error("could not store an audit event", metadata: ["error": "\(error.debugDescription)"])
        }
        throw refusal.apiError
    }

    /// 503 `model_not_configured` before anything is stored when no provider is set up.
    private func requireModel() throws(APIError) {
        let model = configuration.model
        if model.apiKey == nil && model.baseURL == ModelConfiguration.defaultBaseURL {
            throw APIError(status: 503, code: .modelNotConfigured,
                           message: "Chat is not available: no model provider is configured on this server (set OPENAI_API_KEY, or OPENAI_BASE_URL for a local server).")
        }
    }

    /// Where the request's tools work. A project in the registry (`PROJECTS_FILE`) brings its own connection
    /// string, tools, role and approval policy, and a connection string in the request is then ignored;
    /// otherwise the request's connection string is used if the host policy allows it (checked on the hosts
    /// libpq would connect to, before any connection is made).
    func chatTarget(_ chat: ChatRequest) throws(APIError) -> ChatTarget {
        var settings = configuration.tools
        if let project = resources.projects?.project(chat.projectRef) {
            if let role = project.readOnlyRole { settings.readOnlyRole = role }
            if let login = project.readOnlyConnection { settings.readOnlyConnection = login }
            let database = DatabaseAccess(connectionString: project.connectionString, pool: resources.pool,
                                          settings: settings, cache: resources.cache)
            return ChatTarget(database: database, allowedTools: Set(project.toolNames),
                              approvalTools: configuration.chat.approvalTools.union(project.approvalTools), settings: settings,
                              approvals: PendingActionTarget(projectRef: chat.projectRef, database: database))
        }
        guard let connectionString = chat.connectionString else {
            if resources.projects != nil {
                throw APIError(status: 404, code: .projectNotFound,
                               message: "The project \(chat.projectRef) is not configured on this server.")
            }
            return ChatTarget(database: nil, allowedTools: nil, approvalTools: configuration.chat.approvalTools,
                              settings: settings, approvals: PendingActionTarget(projectRef: chat.projectRef, database: nil))
        }
        let confined: String
        do {
            confined = try resources.hostPolicy.check(connectionString)
        } catch {
            logger.notice("refused a request connection string", metadata: ["code": "\(error.code)", "user": "\(chat.userId)"])
            throw APIError(error)
        }
        let database = DatabaseAccess(connectionString: confined, pool: resources.pool, settings: settings,
                                      cache: resources.cache)
        return ChatTarget(database: database, allowedTools: nil, approvalTools: configuration.chat.approvalTools,
                          settings: settings, approvals: PendingActionTarget(projectRef: chat.projectRef, database: database))
    }

    /// The run driver for this request: instructions with context, the tools on offer, the database.
    private func makeRun(_ chat: ChatRequest, thread: ThreadRecord, run: RunRecord, assistant: AssistantRecord?,
                         target: ChatTarget, stream: Bool, history: [MessageRecord], ranToolCalls: Int = 0) -> ChatRun {
        var offered = Set(assistant?.tools ?? configuration.toolNames)
        if let allowed = target.allowedTools { offered.formIntersection(allowed) }
        let overrides = assistant?.toolDescriptions ?? [:]
        let tools: [any Tool] = ToolRegistry.standard.tools.filter { offered.contains($0.name) }.map { tool in
            guard let text = overrides[tool.name] else { return tool }
            return DescribedTool(base: tool, description: text)
        }
        let database = target.database
        let tables = database.flatMap {
            RunInstructions.tableSummary(database: $0, settings: target.settings, userId: chat.userId)
        }
        let instructions = RunInstructions.make(base: assistant?.instructions ?? AssistantInstructions.standard,
                                                projectRef: chat.projectRef, userId: chat.userId,
                                                tables: database == nil ? "unknown: no database connection was given" : tables)
        let deadline = ContinuousClock.now + .milliseconds(configuration.chat.deadlineMilliseconds)
        return ChatRun(store: store, configuration: configuration, logger: logger, client: modelClient, thread: thread, run: run,
                       projectRef: chat.projectRef, instructions: instructions, registry: ToolRegistry(tools: tools),
                       target: target, events: SilentEvents(), deadline: deadline, stream: stream, resources: resources,
                       history: history, ranToolCalls: ranToolCalls)
    }

    /// Drives `run` and answers JSON, or streams it as server-sent events.
    private func respond(_ run: ChatRun, stream: Bool, _ drive: @escaping (ChatRun) -> ChatReply) -> HTTPResponse {
        guard stream else { return drive(run).httpResponse }
        return .eventStream(pingIntervalMilliseconds: configuration.chat.pingIntervalMilliseconds) { events in
            run.events = EventStreamChatEvents(events)
            _ = events.send(event: "run.created", data: .object(["runId": .string(run.runId), "threadId": .string(run.threadId)]))
            let reply = drive(run)
            if reply.failure == nil {
                _ = events.send(event: "run.completed", data: reply.json)
            }
        }
    }
}
