import JSON
import Platform

/// One entry of the audit trail: who did what, with which tool and arguments, and how it ended.
public struct AuditEvent: Sendable, Equatable {
    /// A unique id, `audit_…`.
    public var id: String
    /// When it happened, in milliseconds since the Unix epoch.
    public var createdAt: Int64
    /// The user the action was taken for.
    public var userId: String
    /// The project (database) it concerned, when known.
    public var projectRef: String?
    /// The thread, when the event belongs to a chat.
    public var threadId: String?
    /// The run, when the event belongs to a chat run.
    public var runId: String?
    /// What happened.
    public var kind: AuditEventKind
    /// The tool involved, when any.
    public var tool: String?
    /// The tool's arguments (JSON text); `AuditLog.record` stores them redacted (see `Redaction`).
    public var arguments: String?
    /// Whether it succeeded; nil when that does not apply (an approval, a rejection).
    public var success: Bool?
    /// The error code of a failure (a tool error code such as `sql_not_read_only`).
    public var errorCode: String?
    /// How long it took, in milliseconds.
    public var durationMs: Int64?

    /// Creates an event; the id and time default to a new id and now.
    public init(kind: AuditEventKind, userId: String, projectRef: String? = nil, threadId: String? = nil,
                runId: String? = nil, tool: String? = nil, arguments: String? = nil, success: Bool? = nil,
                errorCode: String? = nil, durationMs: Int64? = nil,
                id: String = Identifier.make("audit"), createdAt: Int64 = WallClock.nowMilliseconds()) {
        self.id = id
        self.createdAt = createdAt
        self.userId = userId
        self.projectRef = projectRef
        self.threadId = threadId
        self.runId = runId
        self.kind = kind
        self.tool = tool
        self.arguments = arguments
        self.success = success
        self.errorCode = errorCode
        self.durationMs = durationMs
    }

    /// The event as one JSON object, as the log line and `pgassist audit --json` print it:
    /// `{"id", "at" (ISO 8601 UTC), "createdAt" (ms), "userId", "kind", …}`; absent values are left out,
    /// `arguments` is JSON when it parses, else a string.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(id), "at": .string(WallClock.iso8601(createdAt)), "createdAt": .number(Double(createdAt)),
            "userId": .string(userId), "kind": .string(kind.rawValue),
        ]
        if let projectRef { object["projectRef"] = .string(projectRef) }
        if let threadId { object["threadId"] = .string(threadId) }
        if let runId { object["runId"] = .string(runId) }
        if let tool { object["tool"] = .string(tool) }
        if let arguments { object["arguments"] = (try? JSONValue.parse(arguments)) ?? .string(arguments) }
        if let success { object["success"] = .bool(success) }
        if let errorCode { object["errorCode"] = .string(errorCode) }
        if let durationMs { object["durationMs"] = .number(Double(durationMs)) }
        return .object(object)
    }
}
