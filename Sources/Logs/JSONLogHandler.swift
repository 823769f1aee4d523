import Glibc
import Logging
import Platform

/// A swift-log handler that writes each message as one JSON object on one line:
/// `{"ts":"2026-11-25T07:43:04.123Z","level":"info","worker":4242,"event":"run ended","request_id":"…",`
/// `"user":"…","run_id":"…","duration_ms":1530,…}`.
///
/// `ts` (RFC 3339, UTC, milliseconds), `level`, `worker` (the process id) and `event` (the message) come
/// first, then `request_id`, `user`, `run_id` and `duration_ms` when the line has them, then the other
/// metadata sorted by key. Metadata is merged as swift-log's stream handler does: the logger's own, then the
/// metadata provider's (the request's context), then the call's, later ones winning. A metadata key that
/// would repeat one of the first four fields is written as `metadata.KEY`.
public struct JSONLogHandler: LogHandler {
    /// Where finished lines go: one call per line, newline included.
    public typealias Output = @Sendable ([UInt8]) -> Void

    /// Fields that follow `event` in this order when present.
    static let leadingKeys = [RequestLogContext.Key.requestID, RequestLogContext.Key.user, RequestLogContext.Key.runID,
                              "duration_ms"]
    /// Fields the handler writes itself.
    static let reservedKeys = ["ts", "level", "worker", "event"]

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let output: Output
    private let worker: Int

    /// A handler writing to `output` (standard error by default) with the request context of `metadataProvider`.
    public init(metadataProvider: Logger.MetadataProvider? = nil, output: Output? = nil) {
        self.metadataProvider = metadataProvider
        self.output = output ?? StandardError.write
        worker = Int(getpid())
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // Starts from the provider's fresh dictionary: the logger's own metadata is usually empty.
        var fields = metadataProvider?.get() ?? [:]
        if !metadata.isEmpty {
            fields.merge(metadata) { provided, _ in provided }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            fields.merge(explicit) { _, explicit in explicit }
        }
        if let error = event.error, fields["error"] == nil {
            fields["error"] = .string("\(error)")
        }
        output(Self.line(timestamp: .now, level: event.level, worker: worker, message: event.message.description,
                         fields: fields))
    }

    /// One finished line (newline included).
    static func line(timestamp: LogTimestamp, level: Logger.Level, worker: Int, message: String,
                     fields: Logger.Metadata) -> [UInt8] {
        var builder = JSONLineBuilder(capacity: 192 + message.utf8.count)
        builder.member("ts", timestamp: timestamp)
        builder.member("level", string: level.rawValue)
        builder.member("worker", integer: worker)
        builder.member("event", string: message)
        let sorted = fields.sorted { $0.key < $1.key }
        for key in leadingKeys {
            if let entry = sorted.first(where: { $0.key == key }) { builder.member(key, entry.value) }
        }
        for (key, value) in sorted where !leadingKeys.contains(key) {
            builder.member(reservedKeys.contains(key) ? "metadata.\(key)" : key, value)
        }
        return builder.finish()
    }
}
