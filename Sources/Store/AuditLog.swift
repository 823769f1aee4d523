/// Where audit events are kept: the thread store, so every worker, host and the CLI share one trail.
///
/// Use `record(_:logger:)` to add an event: it redacts the arguments and also writes the log line.
public protocol AuditLog: AnyObject {
    /// Stores `event` as given (`record` redacts it first).
    func saveAuditEvent(_ event: AuditEvent) throws(StoreError)
    /// The events matching `filter`, newest first, at most `filter.limit`.
    func auditEvents(matching filter: AuditFilter) throws(StoreError) -> [AuditEvent]
}
