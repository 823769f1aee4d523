/// What an audit event records; extensible, stored as its raw value in `audit_events.kind`.
public struct AuditEventKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The stored and printed name, e.g. `tool`.
    public let rawValue: String
    /// Creates a kind from its name.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// The name.
    public var description: String { rawValue }

    /// A tool call ran (or was refused by the tool) on the user's database.
    public static let tool = AuditEventKind(rawValue: "tool")
    /// The user approved a pending action.
    public static let approval = AuditEventKind(rawValue: "approval")
    /// The user rejected a pending action.
    public static let rejection = AuditEventKind(rawValue: "rejection")
    /// A chat run was refused by the per-user rate limits.
    public static let rateLimited = AuditEventKind(rawValue: "rate_limited")
}
