import JSON
import Logging
import Platform
import Store
import ToolsCore

/// The run's state in the store, its reply, and the helpers every step uses.
extension ChatRun {
    /// Marks the run failed. The failure may be the store itself going away: a run left `in_progress` under a
    /// live worker would hold its thread until its deadline, so the write is then retried in the background
    /// (`RunEndRetrier`) while the client hears the error at once.
    func markFailed(_ error: ChatError) {
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
            throw .failed(ChatError(.deadlineExceeded,
                                    "The chat request ran out of time before the assistant finished; the conversation so far is kept."))
        }
    }

    /// Ends the run; when another request ended it first, stops with that status.
    func finish(_ status: RunStatus, response: String) throws(Stop) {
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

    func reply(_ status: RunStatus, response: String, pendingAction: JSONValue? = nil, failure: ChatError? = nil) -> ChatReply {
        let reply = ChatReply(threadId: threadId, runId: runId, status: status, response: response, toolCalls: outcomes,
                              inputTokens: inputTokens, outputTokens: outputTokens, pendingAction: pendingAction,
                              failure: failure)
        logger.info("run ended", metadata: ["status": "\(status.rawValue)", "rounds": "\(rounds)",
                                            "toolCalls": "\(outcomes.count)",
                                            "duration_ms": .stringConvertible(Self.milliseconds(since: driveStarted))])
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
            throw .failed(ChatError(error))
        }
    }

    /// One warning line for a step slower than the configured threshold.
    func logIfSlow(phase: String, elapsed: Int64, detail: String) {
        let threshold = configuration.chat.slowStepMilliseconds
        guard threshold > 0, elapsed >= threshold else { return }
        logger.warning("slow step", metadata: ["phase": "\(phase)", "duration_ms": .stringConvertible(elapsed), "detail": "\(detail)",
                                               "thread": "\(threadId)"])
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Int64 {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }
}
