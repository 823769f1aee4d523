/// A conversation as stored: the user's current thread until it is deleted.
public struct ThreadRecord: Sendable, Equatable {
    /// The thread's id, e.g. `thread_…`.
    public let id: String
    /// The user it belongs to.
    public let userId: String
    /// The project it was started for, when the client said.
    public let projectRef: String?
    /// How many messages it holds.
    public let messageCount: Int
    /// When it was created, in milliseconds since the epoch.
    public let createdAt: Int64
    /// When it last changed, in milliseconds since the epoch.
    public let updatedAt: Int64

    /// Creates a record.
    public init(id: String, userId: String, projectRef: String?, messageCount: Int, createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.userId = userId
        self.projectRef = projectRef
        self.messageCount = messageCount
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
