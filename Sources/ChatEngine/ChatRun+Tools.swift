import Dispatch
import JSON
import Logs
import Model
import Operations
import Platform
import Policies
import Store
import Synchronization
import ToolsCore

extension ChatRun {
    /// Executes one model turn's calls in order: consecutive read-only calls run at once on separate
    /// connections, anything else alone, and calls the admission refused are answered with their error (those in a
    /// row commit together). Each result is committed as it arrives. A call that needs the user's approval pauses
    /// the run there (the calls after it run once the user answered) and the `requires_action` reply is returned.
    func execute(_ calls: [ToolCallAdmission.Entry]) throws(Stop) -> ChatReply? {
        var index = 0
        while index < calls.count {
            // Cancelled or expired meanwhile, or out of time: the calls not run yet stay unanswered and are
            // closed when the thread is next used.
            try checkStillActive()
            if calls[index].refusal != nil {
                var refused: [ToolCallOutcome] = []
                while index < calls.count, let error = calls[index].refusal {
                    refused.append(ToolCallOutcome(calls[index].call, notRunBecause: error,
                                                   budget: target.settings.outputBudgetBytes))
                    index += 1
                }
                try record(refused)
                continue
            }
            var batch = [calls[index].call]
            if isParallel(calls[index].call) {
                while index + batch.count < calls.count, calls[index + batch.count].refusal == nil,
                      isParallel(calls[index + batch.count].call) {
                    batch.append(calls[index + batch.count].call)
                }
            }
            batch.forEach(emitStarted)
            for outcome in run(batch) {
                if let actionId = outcome.pendingActionId {
                    return try pause(for: outcome, actionId: actionId)
                }
                try record([outcome])
            }
            index += batch.count
        }
        return nil
    }

    /// Runs `call` with the user's decision on its pending action: approved (the tool acts) or rejected
    /// (the model is told the user declined).
    func decide(_ call: StoredToolCall, actionId: String, approved: Bool) -> ToolCallOutcome {
        audit(AuditEvent(kind: approved ? .approval : .rejection, userId: userId, projectRef: projectRef, threadId: threadId,
                         runId: runId, tool: call.name, arguments: call.arguments))
        guard approved else {
            let error = ToolError(ToolError.Code(rawValue: "user_declined"),
                                  "The user declined this action; nothing was done. Do not try it again unless the user asks.")
            return ToolCallOutcome(call, notRunBecause: error, budget: target.settings.outputBudgetBytes)
        }
        emitStarted(call)
        return runOne(call, approvedActionId: actionId)
    }

    private func emitStarted(_ call: StoredToolCall) {
        _ = events.report(.toolStarted(runId: runId, call: .object([
            "runId": .string(runId), "id": .string(call.id), "name": .string(call.name),
            "arguments": (try? JSONValue.parse(call.arguments)) ?? .string(call.arguments),
        ])))
    }

    /// Commits tool results (together: one transaction) and reports each.
    func record(_ recorded: [ToolCallOutcome]) throws(Stop) {
        for outcome in recorded {
            outcomes.append(outcome)
            resources.metrics.recordToolCall(outcome.name, success: outcome.result.isSuccess)
            logIfSlow(phase: "tool", elapsed: outcome.durationMs, detail: outcome.name)
        }
        // Each result commits with its audit event (one sync to disk for them all).
        let messages = try withStore { () throws(StoreError) in
            try store.atomically { () throws(StoreError) -> [MessageRecord] in
                var messages: [MessageRecord] = []
                for outcome in recorded {
                    audit(AuditEvent(kind: .tool, userId: userId, projectRef: projectRef, threadId: threadId, runId: runId,
                                     tool: outcome.name, arguments: outcome.arguments, success: outcome.result.isSuccess,
                                     errorCode: outcome.result.error?.code.rawValue, durationMs: outcome.durationMs))
                    messages.append(try store.appendRunMessage(threadId: threadId, NewMessage(
                        role: "tool", toolCallId: outcome.id, toolResult: outcome.rendered, runId: runId,
                        toolName: outcome.name, durationMs: outcome.durationMs)))
                }
                return messages
            }
        }
        messages.forEach(remember)
        for outcome in recorded {
            var event = outcome.json.objectValue ?? [:]
            event["runId"] = .string(runId)
            event.removeValue(forKey: "arguments")
            _ = events.report(.toolCompleted(runId: runId, outcome: .object(event)))
        }
    }

    // MARK: Helpers

    /// Records an audit event (and its log line); a store failure is logged and the run goes on. Inside a
    /// transaction it is a savepoint of its own, so its failure leaves the rest of the transaction intact.
    func audit(_ event: AuditEvent) {
        do {
            try store.atomically { () throws(StoreError) in _ = try store.record(event, logger: logger) }
        } catch {
            logger.error("could not store an audit event", metadata: ["error": "\(error.debugDescription)"])
        }
    }

    /// Read-only tools that need no approval may run alongside each other.
    private func isParallel(_ call: StoredToolCall) -> Bool {
        guard let tool = registry.tool(named: call.name) else { return true }
        return target.approvalPolicy.runsConcurrently(tool)
    }

    /// The calls' outcomes in order; several at once on separate threads.
    private func run(_ batch: [StoredToolCall]) -> [ToolCallOutcome] {
        guard batch.count > 1 else { return batch.map { runOne($0, approvedActionId: nil) } }
        let results = Mutex<[Int: ToolCallOutcome]>([:])
        let registry = registry, settings = target.settings, database = database, userId = userId
        RequestLogContext.concurrentPerform(iterations: batch.count) { index in  // the threads log for this request
            let call = batch[index]
            let context = ToolContext(settings: settings, database: database, userId: userId)
            let outcome = Self.timed(call) { registry.run(call.name, arguments: call.arguments, context: context) }
            results.withLock { $0[index] = outcome }
        }
        return results.withLock { collected in batch.indices.compactMap { collected[$0] } }
    }

    /// Runs one call behind the request's approval policy (`ChatTarget.approvalPolicy`). Approvals, the gate's and
    /// the tools' own, are bound to this request's project and database (`ChatTarget.approvals`).
    private func runOne(_ call: StoredToolCall, approvedActionId: String?) -> ToolCallOutcome {
        let actions = BoundPendingActions(store: StoreApprovals(store), target: target.approvals)
        let context = ToolContext(settings: target.settings, database: database, userId: userId, actions: actions,
                                  approvedActionId: approvedActionId)
        let registry = registry, policy = target.approvalPolicy
        return Self.timed(call) {
            policy.run(call.name, arguments: call.arguments, registry: registry, context: context,
                       nowMilliseconds: WallClock.nowMilliseconds())
        }
    }

    private static func timed(_ call: StoredToolCall,
                              _ body: () -> (result: ToolResult, rendered: String)) -> ToolCallOutcome {
        let started = ContinuousClock.now
        let (result, rendered) = body()
        return ToolCallOutcome(id: call.id, name: call.name, arguments: call.arguments, result: result, rendered: rendered,
                               durationMs: MonotonicClock.milliseconds(since: started))
    }

    /// Puts the run on hold for the user's decision and returns the `requires_action` reply.
    func pause(for outcome: ToolCallOutcome, actionId: String) throws(Stop) -> ChatReply {
        let details = outcome.result.error?.details ?? [:]
        let until = WallClock.nowMilliseconds() + Int64(target.settings.approvalLifetimeSeconds) * 1_000
        let paused = try withStore { () throws(StoreError) in
            try store.pauseRun(id: runId, actionId: actionId, callId: outcome.id, deadlineAt: until)
        }
        guard paused else {
            let current = try withStore { () throws(StoreError) in try store.run(id: runId, threadId: threadId) }
            throw .ended(current?.status ?? .cancelled, text: "")
        }
        let action = JSONValue.object([
            "id": .string(actionId), "tool": .string(outcome.name),
            "arguments": (try? JSONValue.parse(outcome.arguments)) ?? .string(outcome.arguments),
            "impact": details["impact"] ?? .null, "expiresAt": details["expiresAt"] ?? .null,
            "callId": .string(outcome.id),
        ])
        _ = events.report(.actionRequired(runId: runId, pendingAction: action))
        return reply(.requiresAction, response: "", pendingAction: action)
    }
}
