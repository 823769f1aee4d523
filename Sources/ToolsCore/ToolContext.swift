/// Everything a tool call may use besides its arguments; built by the caller (chat loop or CLI).
public struct ToolContext {
    /// Deployment limits and policies.
    public let settings: ToolSettings
    /// The user's database, when the caller has a connection for this project.
    public let database: DatabaseAccess?
    /// The user on whose behalf the tool runs.
    public let userId: String
    /// Where approvals are kept, when the caller has a store.
    public let actions: (any PendingActionStore)?
    /// The id of an action the user approved for this very call, if any.
    public let approvedActionId: String?

    /// Creates a context.
    public init(settings: ToolSettings, database: DatabaseAccess?, userId: String,
                actions: (any PendingActionStore)? = nil, approvedActionId: String? = nil) {
        self.settings = settings
        self.database = database
        self.userId = userId
        self.actions = actions
        self.approvedActionId = approvedActionId
    }

    /// The database, or a `not_configured` error for tools that need one.
    public func requireDatabase() throws(ToolError) -> DatabaseAccess {
        guard let database else {
            throw ToolError(.notConfigured, "No database connection is configured for this project.")
        }
        return database
    }
}
