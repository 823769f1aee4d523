import JSON
import Logging
import Logs
import Store

extension AuditEvent {
    /// The message of an audit event's log line; its fields are `logMetadata`.
    public static let logEvent = "audit"

    /// The fields of the event's log line (`"event":"audit"`): the members of `json`, with the user, run and
    /// duration under the names every log line uses (`user`, `run_id`, `duration_ms`) and without `at` (the
    /// line's `ts` says when). Only as secret-free as the event: log `redacted`, as `AuditLog.record` does.
    public var logMetadata: Logger.Metadata {
        var metadata: Logger.Metadata = [:]
        for (key, value) in json.objectValue ?? [:] {
            switch key {
            case "at": continue
            case "userId": metadata[RequestLogContext.Key.user] = Logger.MetadataValue(value)
            case "runId": metadata[RequestLogContext.Key.runID] = Logger.MetadataValue(value)
            case "durationMs": metadata["duration_ms"] = Logger.MetadataValue(value)
            default: metadata[key] = Logger.MetadataValue(value)
            }
        }
        return metadata
    }
}
