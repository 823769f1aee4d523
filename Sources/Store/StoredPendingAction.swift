import JSON

/// A pending action as the store keeps it: what a tool will do once the user approves, and until when.
public struct StoredPendingAction: Sendable, Equatable {
    /// Its id, e.g. `act_…`.
    public let id: String
    /// The only user who may approve it.
    public let userId: String
    /// The tool that asked.
    public let tool: String
    /// The exact arguments (compact, sorted-key JSON) it will run with.
    public let arguments: String
    /// What approving will do, for the user.
    public let impact: JSONValue
    /// When it stops being valid, in milliseconds since the epoch.
    public let expiresAt: Int64

    /// Creates a record.
    public init(id: String, userId: String, tool: String, arguments: String, impact: JSONValue, expiresAt: Int64) {
        self.id = id
        self.userId = userId
        self.tool = tool
        self.arguments = arguments
        self.impact = impact
        self.expiresAt = expiresAt
    }
}
