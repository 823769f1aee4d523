import Logging

extension AuditLog {
    /// Records `event` with its arguments redacted (`AuditEvent.redacted`), and returns what was stored.
    ///
    /// First writes `event.logLine` to `logger` as one `info` message, so the trail reaches the log
    /// even when the store then fails (the caller logs that failure and decides what to do).
    @discardableResult
    public func record(_ event: AuditEvent, logger: Logger) throws(StoreError) -> AuditEvent {
        let redacted = event.redacted
        logger.info("\(redacted.logLine)")
        try saveAuditEvent(redacted)
        return redacted
    }
}
