import JSON
import Logging
import Model
import Operations
import Platform
import Policies
import Store
import ToolsCore

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
    let events: any ChatEvents
    let deadline: ContinuousClock.Instant
    /// The process's run locks, background run endings and metrics.
    let resources: ChatResources
    /// The thread's newest messages (at most CHAT_HISTORY_MESSAGES, oldest first), kept in step with what this
    /// run stores: while a run is in progress only its driver writes to the thread, so no round reads it again.
    var recent: [MessageRecord]
    private(set) var rounds: Int
    /// Tool calls this run let run so far, over all its model answers (`CHAT_MAX_TOOL_CALLS_PER_RUN` bounds it).
    private var ranToolCalls: Int
    var outcomes: [ToolCallOutcome] = []
    private(set) var inputTokens = 0
    private(set) var outputTokens = 0
    /// When this request began driving the run (for the `run ended` line's duration).
    let driveStarted = ContinuousClock.now

    /// The driver of `prepared`'s run for `service`, reporting to `events`.
    init(_ prepared: PreparedRun, service: ChatService, events: any ChatEvents) {
        store = service.store
        configuration = service.configuration
        var logger = service.logger
        logger[metadataKey: "run_id"] = "\(prepared.run.id)"
        self.logger = logger
        client = service.modelClient
        threadId = prepared.thread.id
        userId = prepared.thread.userId
        projectRef = prepared.plan.projectRef
        runId = prepared.run.id
        model = prepared.run.model ?? configuration.defaultModel
        instructions = prepared.plan.instructions
        registry = prepared.plan.registry
        target = prepared.plan.target
        self.events = events
        deadline = prepared.plan.deadline
        resources = service.resources
        recent = prepared.history
        rounds = prepared.run.rounds
        ranToolCalls = prepared.ranToolCalls
    }

    /// Why the loop stopped early.
    enum Stop: Error {
        /// The run failed with this error (already logged).
        case failed(ChatError)
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
            case .failed(let failure):
                markFailed(failure)
                _ = events.report(.failed(failure))
                return reply(.failed, response: "", failure: failure)
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
            let history = ChatHistory(messages: recent, tokenBudget: budget, view: ModelView(sharing: target.dataSharing))
            var text = instructions
            if lastRound {
                text += "\nThis is the last step of this turn: tools are not available now. Answer with what you know."
            }
            let request = ModelRequest(model: model, instructions: text, items: history.items,
                                       tools: lastRound ? [] : registry.tools.map(Self.definition),
                                       maxOutputTokens: configuration.chat.maxOutputTokens, stream: events.followsLive,
                                       isCancelled: events.clientGone)
            let started = ContinuousClock.now
            let outcome = Result { () throws(ModelError) -> ModelResponse in
                try client.respond(request, deadline: deadline) { event in
                    guard case .textDelta(let delta) = event else { return true }
                    partial += delta
                    return events.report(.messageDelta(runId: runId, delta: delta))
                }
            }
            resources.metrics.recordModelCall(outcome)
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
                throw .failed(ChatError(error))
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
}
