/// What a chat request asks of the engine, validated by the edge: who asks, about which project and thread,
/// where the tools work, and what to do.
public struct ChatCommand: Sendable {
    /// What the request asks for.
    public enum Intent: Equatable, Sendable {
        /// A new user message.
        case message(String)
        /// Approve the pending action with this id.
        case approve(String)
        /// Reject the pending action with this id.
        case reject(String)
        /// Cancel the run with this id.
        case cancel(String)
    }

    /// The user (NFC), authenticated or claimed.
    public let userId: String
    /// The Supabase project the conversation is about.
    public let projectRef: String
    /// The thread to continue; nil for the user's current thread.
    public let threadId: String?
    /// The target database, when the client sends it (never stored, never logged).
    public let connectionString: String?
    /// What to do.
    public let intent: Intent

    /// A command.
    public init(userId: String, projectRef: String, threadId: String?, connectionString: String?, intent: Intent) {
        self.userId = userId
        self.projectRef = projectRef
        self.threadId = threadId
        self.connectionString = connectionString
        self.intent = intent
    }
}
