
/// Runs and the messages they produce, kept so that any worker (or host) can continue a thread
/// after a crash. Every state change is one conditional write: a run leaves an active status once.
public protocol RunStore: AnyObject {
    /// The live thread `id` if it belongs to `userId`, else nil (another user's thread looks absent).
    func thread(id: String, userId: String) throws(StoreError) -> ThreadRecord?
    /// The thread's active run (queued, in progress or waiting for approval), if any.
    func activeRun(threadId: String) throws(StoreError) -> RunRecord?
    /// The run `id` of `threadId`, if any.
    func run(id: String, threadId: String) throws(StoreError) -> RunRecord?
    /// Creates an `in_progress` run and, in the same transaction, appends `userMessage` (when given)
    /// to the thread. Nil when the thread already has an active run (nothing is written then).
    func startRun(_ run: NewRun, userMessage: String?) throws(StoreError) -> (run: RunRecord, message: MessageRecord?)?
    /// Takes over a run waiting for approval of `actionId` for `worker`: true when this caller won.
    func resumeRun(id: String, actionId: String, worker: String, deadlineAt: Int64) throws(StoreError) -> Bool
    /// Puts an in-progress run on hold until the user approves `actionId` (for tool call `callId`), at most
    /// until `deadlineAt` (milliseconds since the epoch; the approval's expiry).
    func pauseRun(id: String, actionId: String, callId: String, deadlineAt: Int64) throws(StoreError) -> Bool
    /// Ends an active run with `status`; false when it had already ended (e.g. cancelled meanwhile).
    func finishRun(id: String, status: RunStatus, response: String?, errorCode: String?,
                   errorMessage: String?) throws(StoreError) -> Bool
    /// Adds one model call's token counts to the run.
    func recordRound(id: String, inputTokens: Int, outputTokens: Int) throws(StoreError)
    /// Appends a message (any role, with the run's extra columns) to a live thread. A message of a run (`runId`
    /// set) is stored only while that run is in progress, else `.runNotActive` and nothing is written.
    func appendRunMessage(threadId: String, _ message: NewMessage) throws(StoreError) -> MessageRecord
    /// Runs `body` in one transaction: the store operations it calls commit together (one sync to disk) or not
    /// at all. Nested calls join the outer transaction (a savepoint).
    func atomically<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T
    /// The newest `limit` messages of a thread with every column, oldest first.
    func recentMessages(threadId: String, limit: Int) throws(StoreError) -> [MessageRecord]
    /// The `tool_calls` of each message of run `runId` (in `threadId`) that made calls, oldest first: what the
    /// run's model answers asked for, however many messages came after them.
    func toolCalls(threadId: String, runId: String) throws(StoreError) -> [String]
    /// The target (project and database) the pending action `id` was asked for; nil when there is no such action,
    /// or it was saved before actions recorded their target.
    func pendingActionTarget(id: String) throws(StoreError) -> String?
    /// Whether nobody holds the run's lock (`RunLockKeeper`): true means its driver is gone; nil when the store
    /// cannot tell (SQLite, where the worker's pid is checked instead, or a PostgreSQL server that has just started).
    func runLockIsFree(runId: String) throws(StoreError) -> Bool?
}
