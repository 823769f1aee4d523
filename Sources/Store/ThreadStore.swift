
/// Where threads, messages, runs and the assistant definition live.
///
/// One instance per worker thread (it owns a database connection). Every method is safe when
/// many threads and processes use the same store at once.
public protocol ThreadStore: RunStore, ApprovalRecords, AuditLog, UsageStore, IdempotencyStore, HistoryStore {
    /// Which database holds the threads.
    var kind: StoreKind { get }
    /// Applies missing schema migrations (idempotent; also done on first use).
    func migrate() throws(StoreError)
    /// Checks that the store answers.
    func ping() throws(StoreError)
    /// The user's current thread, or nil; never writes.
    func currentThread(userId: String) throws(StoreError) -> ThreadRecord?
    /// The user's current thread, created when there is none. Concurrent callers for one user
    /// all get the same thread (a unique index decides, not timing).
    func currentOrNewThread(userId: String, projectRef: String?) throws(StoreError) -> ThreadRecord
    /// Retires the user's current thread (kept, marked deleted) and returns it; nil when there was none.
    func deleteCurrentThread(userId: String) throws(StoreError) -> ThreadRecord?
    /// Appends a message to a live thread and returns it with its position.
    func appendMessage(threadId: String, _ message: NewMessage) throws(StoreError) -> MessageRecord
    /// Up to `limit` messages of a thread before position `before` (or the newest), oldest first.
    func messages(threadId: String, limit: Int, before: Int64?) throws(StoreError) -> MessagePage
    /// The assistant definition, or nil before the first `/setup`.
    func assistant() throws(StoreError) -> AssistantRecord?
    /// Creates the assistant definition or applies `update` to it; `created` tells which happened.
    /// `defaults` fills the fields of a new definition that `update` leaves out.
    func saveAssistant(_ update: AssistantUpdate, defaults: AssistantDefaults) throws(StoreError)
        -> (assistant: AssistantRecord, created: Bool)
}
