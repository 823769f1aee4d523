import HTTP
import JSON
import Logging
import Model
import Tools
import Platform

/// Drives one run: model call, tool calls, model call… until the model answers, an action needs the
/// user's approval, the round limit or the deadline is reached, or the client goes away.
///
/// Everything is committed as it happens (each model output, each tool result), so a worker that dies
/// at any point leaves a thread the next request can continue.
final class ChatRun {
    let store: any ThreadStore
    let configuration: AssistantConfiguration
    let logger: Logger
    let client: any ModelClient
    let threadId: String
    let userId: String
    let projectRef: String
    let runId: String
    let model: String
    let instructions: String
    let registry: ToolRegistry
    /// The database, tool settings and approval policy of the request's project.
    let target: ChatTarget
    var database: DatabaseAccess? { target.database }
    var events: any ChatEvents
    let deadline: ContinuousClock.Instant
    let stream: Bool
    /// The process's run locks and background run endings.
    let resources: ChatResources
    /// The thread's newest messages (at most CHAT_HISTORY_MESSAGES, oldest first), kept in step with what this
    /// run stores: while a run is in progress only its driver writes to the thread, so no round reads it again.
    var recent: [MessageRecord]
    private var rounds: Int
    /// Tool calls this run let run so far, over all its model answers (`CHAT_MAX_TOOL_CALLS_PER_RUN` bounds it).
    private var ranToolCalls: Int
    var outcomes: [ToolCallOutcome] = []
    private var inputTokens = 0
    private var outputTokens = 0
    /// When this request began driving the run (for the `run ended` line's duration).
    private let driveStarted = ContinuousClock.now

    init(store: any ThreadStore, configuration: AssistantConfiguration, logger: Logger, client: any ModelClient,
         thread: ThreadRecord, run: RunRecord, projectRef: String, instructions: String, registry: ToolRegistry,
         target: ChatTarget, events: any ChatEvents, deadline: ContinuousClock.Instant, stream: Bool,
         resources: ChatResources, history: [MessageRecord], ranToolCalls: Int = 0) {
        self.store = store
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "run_id"] = "\(run.id)"
        self.logger = logger
        self.client = client
        threadId = thread.id
        userId = thread.userId
        self.projectRef = projectRef
        runId = run.id
        model = run.model ?? configuration.defaultModel
        self.instructions = instructions
        self.registry = registry
        self.target = target
        self.events = events
        self.deadline = deadline
        self.stream = stream
        self.resources = resources
        recent = history
        rounds = run.rounds
        self.ranToolCalls = ranToolCalls
    }

    /// Why the loop stopped early.
    enum Stop: Error {
        /// The run failed with this error (already logged).
        case failed(APIError)
        /// The run ended some other way (cancelled by the user or by the client leaving).
        case ended(RunStatus, text: String)
    }

    /// Runs the loop, first executing `calls` (a resumed turn's remaining calls, as admitted); `first` is the
    /// outcome of an approved or rejected call to store before them.
    func drive(first: ToolCallOutcome? = nil, calls: [ToolCallAdmission.Entry] = []) -> ChatReply {
        // The run lock was taken when the run started or resumed (`RunLockKeeper.hold`); it ends with the drive.
        defer { resources.runLocks?.release(runId: runId) }
        do throws(Stop) {
            if let first {
                // The approved tool asked for another approval (drop_table whose dependents changed,
                // restore_table for another user's copy): the user answers that one before anything goes on.
                if let actionId = first.pendingActionId { return try pause(for: first, actionId: actionId) }
                try record([first])
            }
            var pending = calls
            while true {
                if !pending.isEmpty {
                    if let paused = try execute(pending) { return paused }
                }
                try checkStillActive()
                // An answer without calls ends the run `completed` in the transaction that stores it.
                let answer = try callModel()
                let calls = answer.toolCalls.map { StoredToolCall(id: $0.callId, name: $0.name, arguments: $0.arguments) }
                if calls.isEmpty { return reply(.completed, response: answer.text) }
                if rounds >= configuration.chat.maxRounds {
                    // The last round offered no tools; calls the model made anyway are answered, not run.
                    let error = ToolError(ToolError.Code(rawValue: "round_limit"),
                                          "The limit of \(configuration.chat.maxRounds) model rounds for this message was reached; the tool was not run.")
                    try record(calls.map { ToolCallOutcome($0, notRunBecause: error, budget: target.settings.outputBudgetBytes) })
                    let text = answer.text.isEmpty
                        ? "(The assistant reached its limit of \(configuration.chat.maxRounds) steps for one message without a final answer; ask it to continue.)"
                        : answer.text
                    try finish(.completed, response: text)
                    return reply(.completed, response: text)
                }
                let admission = ToolCallAdmission(calls: calls, ranBefore: ranToolCalls, settings: configuration.chat)
                ranToolCalls += admission.admitted
                pending = admission.calls
            }
        } catch {
            switch error {
            case .failed(let apiError):
                markFailed(apiError)
                _ = events.emit("error", .object(["error": .string(apiError.message), "code": .string(apiError.code.rawValue),
                                                  "status": .number(Double(apiError.status))]))
                return reply(.failed, response: "", failure: apiError)
            case .ended(let status, let text):
                return reply(status, response: text)
            }
        }
    }

    // MARK: Model

    /// One model call with the stored history; its output is committed before anything else happens.
    private func callModel() throws(Stop) -> ModelResponse {
        rounds += 1
        let lastRound = rounds >= configuration.chat.maxRounds
        var budget = configuration.chat.historyTokenBudget
        var partial = ""
        while true {
            let history = ChatHistory(messages: recent, tokenBudget: budget)
            var text = instructions
            if lastRound {
                text += "\nThis is the last step of this turn: tools are not available now. Answer with what you know."
            }
            let request = ModelRequest(model: model, instructions: text, items: history.items,
                                       tools: lastRound ? [] : registry.tools.map(Self.definition),
                                       maxOutputTokens: configuration.chat.maxOutputTokens, stream: stream,
                                       isCancelled: events.clientGone)
            let started = ContinuousClock.now
            let outcome = Result { () throws(ModelError) -> ModelResponse in
                try client.respond(request, deadline: deadline) { event in
                    guard case .textDelta(let delta) = event else { return true }
                    partial += delta
                    return events.emit("message.delta", .object(["runId": .string(runId), "delta": .string(delta)]))
                }
            }
            AssistantMetrics.shared.recordModelCall(outcome)
            switch outcome {
            case .success(let response):
                let elapsed = MonotonicClock.milliseconds(since: started)
                logger.debug("model answered", metadata: ["round": "\(rounds)", "duration_ms": .stringConvertible(elapsed),
                                                          "toolCalls": "\(response.toolCalls.count)"])
                logIfSlow(phase: "model", elapsed: elapsed, detail: "round \(rounds)")
                inputTokens += response.usage.inputTokens
                outputTokens += response.usage.outputTokens
                try storeAnswer(response)
                return response
            case .failure(let error):
                if error.code == .contextTooLong && budget > 1_000 && history.items.count > 1 {
                    budget /= 2
                    logger.info("context too long; trimming the history further", metadata: ["budget": "\(budget)"])
                    continue
                }
                if error.code == .cancelled {
                    // The client went away mid-stream: keep what had arrived, and end the run.
                    _ = try? store.atomically { () throws(StoreError) in
                        if !partial.isEmpty {
                            _ = try store.appendRunMessage(threadId: threadId,
                                                           NewMessage(role: "assistant", content: partial, runId: runId))
                        }
                        _ = try store.finishRun(id: runId, status: .cancelled, response: partial, errorCode: "client_disconnected",
                                                errorMessage: "The client went away while the answer streamed.")
                    }
                    throw .ended(.cancelled, text: partial)
                }
                logger.warning("model call failed", metadata: ["error": "\(error)", "round": "\(rounds)"])
                throw .failed(error.apiError)
            }
        }
    }

    /// Commits the model's output (its text, its calls and, Responses API, every output item verbatim) with the
    /// round's token counts in one transaction; an answer without calls also ends the run `completed` there.
    private func storeAnswer(_ response: ModelResponse) throws(Stop) {
        let calls = response.toolCalls.map { StoredToolCall(id: $0.callId, name: $0.name, arguments: $0.arguments) }
        let kept: [JSONValue] = response.outputItems.compactMap {
            if case .providerItem(let value) = $0 { return value }
            return nil
        }
        let message = NewMessage(role: "assistant", content: response.text,
                                 toolCalls: calls.isEmpty ? nil : StoredToolCall.encode(calls), runId: runId,
                                 providerItems: kept.isEmpty ? nil : JSONValue.array(kept).serialized())
        let tokens = response.usage.inputTokens + response.usage.outputTokens
        remember(try withStore { () throws(StoreError) in
            try store.atomically { () throws(StoreError) -> MessageRecord in
                try store.recordRound(id: runId, inputTokens: response.usage.inputTokens, outputTokens: response.usage.outputTokens)
                try RateLimiter(settings: configuration.rateLimits, store: store).addTokens(userId: userId, count: tokens)
                let stored = try store.appendRunMessage(threadId: threadId, message)
                if calls.isEmpty, try !store.finishRun(id: runId, status: .completed, response: response.text,
                                                       errorCode: nil, errorMessage: nil) {
                    throw StoreError(.runNotActive, "run \(runId) ended before its answer was stored")
                }
                return stored
            }
        })
    }

    /// Adds a message this run stored to the history of its next rounds.
    func remember(_ message: MessageRecord) {
        recent.append(message)
        let limit = configuration.chat.historyMessageLimit
        if recent.count > limit { recent.removeFirst(recent.count - limit) }
    }

    private static func definition(_ tool: any Tool) -> ToolDefinition {
        ToolDefinition(name: tool.name, description: tool.description, parameters: tool.parameters)
    }

    // MARK: Run state

    /// Marks the run failed. The failure may be the store itself going away: a run left `in_progress` under a
    /// live worker would hold its thread until its deadline, so the write is then retried in the background
    /// (`RunEndRetrier`) while the client hears the error at once.
    private func markFailed(_ error: APIError) {
        do {
            _ = try store.finishRun(id: runId, status: .failed, response: nil, errorCode: error.code.rawValue,
                                    errorMessage: error.message)
        } catch let storeError {
            guard let retrier = resources.runEnds else {
                logger.error("could not mark the run failed; it ends at its deadline",
                             metadata: ["error": "\(storeError.debugDescription)"])
                return
            }
            retrier.add(RunEndRetrier.Ending(runId: runId, status: .failed, errorCode: error.code.rawValue,
                                             errorMessage: error.message,
                                             giveUpAt: WallClock.nowMilliseconds() + Int64(configuration.chat.deadlineMilliseconds)))
        }
    }

    /// Stops when someone else ended the run meanwhile (a cancel from another request, or an expiry).
    func checkStillActive() throws(Stop) {
        let current = try withStore { () throws(StoreError) in try store.run(id: runId, threadId: threadId) }
        guard let current, current.status == .inProgress else {
            throw .ended(current?.status ?? .cancelled, text: "")
        }
        guard ContinuousClock.now < deadline else {
            throw .failed(APIError(status: 504, code: .deadlineExceeded,
                                   message: "The chat request ran out of time before the assistant finished; the conversation so far is kept."))
        }
    }

    /// Ends the run; when another request ended it first, stops with that status.
    private func finish(_ status: RunStatus, response: String) throws(Stop) {
        let changed = try finishRun(status, response: response, errorCode: nil, errorMessage: nil)
        if !changed {
            let current = try withStore { () throws(StoreError) in try store.run(id: runId, threadId: threadId) }
            throw .ended(current?.status ?? .cancelled, text: response)
        }
    }

    func finishRun(_ status: RunStatus, response: String?, errorCode: String?, errorMessage: String?) throws(Stop) -> Bool {
        try withStore { () throws(StoreError) in
            try store.finishRun(id: runId, status: status, response: response, errorCode: errorCode, errorMessage: errorMessage)
        }
    }

    func reply(_ status: RunStatus, response: String, pendingAction: JSONValue? = nil, failure: APIError? = nil) -> ChatReply {
        let reply = ChatReply(threadId: threadId, runId: runId, status: status, response: response, toolCalls: outcomes,
                              inputTokens: inputTokens, outputTokens: outputTokens, pendingAction: pendingAction,
                              failure: failure)
        logger.info("run ended", metadata: ["status": "\(status.rawValue)", "rounds": "\(rounds)",
                                            "toolCalls": "\(outcomes.count)",
                                            "duration_ms": .stringConvertible(MonotonicClock.milliseconds(since: driveStarted))])
        return reply
    }

    /// Runs a store operation; a failure stops the run with the store's API error (logged). A write refused
    /// because the run is no longer in progress (cancelled, or expired by another worker) ends the drive.
    func withStore<T>(_ body: () throws(StoreError) -> T) throws(Stop) -> T {
        do {
            return try body()
        } catch where error.code == .runNotActive {
            let current = try? store.run(id: runId, threadId: threadId)
            logger.warning("the run was ended elsewhere; this worker stops driving it",
                           metadata: ["status": "\(current?.status.rawValue ?? "unknown")"])
            throw .ended(current?.status ?? .expired, text: "")
        } catch {
            logger.error("store operation failed during a run", metadata: ["error": "\(error.debugDescription)"])
            throw .failed(error.apiError)
        }
    }

    /// One warning line for a step slower than the configured threshold.
    func logIfSlow(phase: String, elapsed: Int64, detail: String) {
        let threshold = configuration.chat.slowStepMilliseconds
        guard threshold > 0, elapsed >= threshold else { return }
        logger.warning("slow step", metadata: ["phase": "\(phase)", "duration_ms": .stringConvertible(elapsed), "detail": "\(detail)",
                                               "thread": "\(threadId)"])
    }
}
