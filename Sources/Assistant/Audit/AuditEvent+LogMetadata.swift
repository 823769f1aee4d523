extension AuditEvent {
    /// How every audit log message begins: `grep -o '{"event":"audit".*'` extracts them from a log,
    /// one JSON object per line.
    public static let logMarker = #"{"event":"audit","#

    /// The log message for this event: `AuditEvent.json` with `"event":"audit"` as its first member,
    /// the other keys sorted, on one line (control characters in values are escaped).
    public var logLine: String {
        Self.logMarker + json.serialized().dropFirst()
    }
}
