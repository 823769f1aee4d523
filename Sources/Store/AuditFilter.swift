/// Which audit events to list; every condition that is set must hold.
public struct AuditFilter: Sendable, Equatable {
    /// Only this user's events.
    public var userId: String?
    /// Only events of this project.
    public var projectRef: String?
    /// Only calls of this tool.
    public var tool: String?
    /// Only events of this kind.
    public var kind: AuditEventKind?
    /// Only events at or after this time, in milliseconds since the Unix epoch.
    public var since: Int64?
    /// Only events before this time, in milliseconds since the Unix epoch.
    public var until: Int64?
    /// Only successes (true) or failures (false); events without an outcome match neither.
    public var success: Bool?
    /// The most events returned, newest first (at least 1).
    public var limit: Int

    /// Creates a filter; with no arguments, the 100 newest events.
    public init(userId: String? = nil, projectRef: String? = nil, tool: String? = nil, kind: AuditEventKind? = nil,
                since: Int64? = nil, until: Int64? = nil, success: Bool? = nil, limit: Int = 100) {
        self.userId = userId
        self.projectRef = projectRef
        self.tool = tool
        self.kind = kind
        self.since = since
        self.until = until
        self.success = success
        self.limit = limit
    }
}
