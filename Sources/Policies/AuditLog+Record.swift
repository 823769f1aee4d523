import Logging
import Store

extension AuditLog {
    /// Records `event` with its arguments redacted (`AuditEvent.redacted`), and returns what was stored.
    ///
    /// First logs the redacted event as one `info` line, event `audit` with the event's fields
    /// (`AuditEvent.logMetadata`), so the trail reaches the log even when the store then fails (the caller
    /// logs that failure and decides what to do).
    @discardableResult
    public func record(_ event: AuditEvent, logger: Logger) throws(StoreError) -> AuditEvent {
        let redacted = event.redacted
        logger.info("\(AuditEvent.logEvent)", metadata: redacted.logMetadata)
        try saveAuditEvent(redacted)
        return redacted
    }
}
