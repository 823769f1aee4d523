import Store

extension AuditEvent {
    /// The event with its arguments redacted (`Redaction.arguments`).
    public var redacted: AuditEvent {
        var copy = self
        copy.arguments = arguments.map(Redaction.arguments)
        return copy
    }
}
