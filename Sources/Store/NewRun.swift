/// A run to create, with the user's message that starts it.
public struct NewRun: Sendable {
    /// The thread.
    public var threadId: String
    /// The user.
    public var userId: String
    /// The project the user is working on.
    public var projectRef: String?
    /// The worker that drives it (`WorkerIdentity.current`).
    public var worker: String
    /// The assistant definition's version, when there is one.
    public var assistantVersion: Int64?
    /// The model.
    public var model: String
    /// Milliseconds since the epoch after which the run counts as abandoned.
    public var deadlineAt: Int64

    /// Creates a run description.
    public init(threadId: String, userId: String, projectRef: String?, worker: String, assistantVersion: Int64?,
                model: String, deadlineAt: Int64) {
        self.threadId = threadId
        self.userId = userId
        self.projectRef = projectRef
        self.worker = worker
        self.assistantVersion = assistantVersion
        self.model = model
        self.deadlineAt = deadlineAt
    }
}
