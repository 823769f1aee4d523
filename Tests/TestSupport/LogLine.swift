import JSON

/// One line of a worker log written with `LOG_FORMAT=json`: a JSON object such as
/// `{"ts":…,"level":"info","worker":42,"event":"run ended","request_id":…,"run_id":…}`.
public struct LogLine: CustomStringConvertible, Sendable {
    /// The object's members.
    public let fields: [String: JSONValue]
    /// The line as written.
    public let text: String

    /// The member `key`.
    public subscript(_ key: String) -> JSONValue? { fields[key] }

    /// The text of the string member `key`, or nil.
    public func string(_ key: String) -> String? { fields[key]?.stringValue }

    /// The message (`event`).
    public var event: String? { string("event") }

    public var description: String { text }

    /// The lines of `log` that are JSON objects; the others (multiwatch's, a crash report) are left out.
    public static func parse(_ log: String) -> [LogLine] {
        log.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("{"), let object = (try? JSONValue.parse(String(line)))?.objectValue else { return nil }
            return LogLine(fields: object, text: String(line))
        }
    }
}

extension WorkerPool {
    /// The workers' JSON log lines so far.
    public var logLines: [LogLine] { LogLine.parse(log) }
}
