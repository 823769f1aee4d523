import JSON

/// An action a tool will take only after the user approves it (e.g. dropping a table).
public struct PendingAction: Sendable, Equatable {
    /// Its id, e.g. `act_…`; the client approves by this id.
    public let id: String
    /// The user it belongs to; only they can approve it.
    public let userId: String
    /// The tool that asked.
    public let tool: String
    /// The exact arguments (compact, sorted-key JSON) it will run with.
    public let arguments: String
    /// What approving will do (estimated rows, size, dependent objects), for the user.
    public let impact: JSONValue
    /// When it stops being valid, in milliseconds since the epoch.
    public let expiresAt: Int64

    /// Creates an action.
    public init(id: String, userId: String, tool: String, arguments: String, impact: JSONValue, expiresAt: Int64) {
        self.id = id
        self.userId = userId
        self.tool = tool
        self.arguments = arguments
        self.impact = impact
        self.expiresAt = expiresAt
    }
}
