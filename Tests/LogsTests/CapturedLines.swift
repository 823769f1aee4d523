import JSON
import Logging
@testable import Logs
import Synchronization

/// Lines a `JSONLogHandler` wrote, kept in memory, and a logger writing them.
final class CapturedLines: Sendable {
    private let lines = Mutex<[[UInt8]]>([])

    /// A logger whose handler writes here, with `provider` as its metadata provider.
    func logger(level: Logger.Level = .trace, provider: Logger.MetadataProvider? = nil) -> Logger {
        Logger(label: "test") { _ in
            var handler = JSONLogHandler(metadataProvider: provider) { line in self.lines.withLock { $0.append(line) } }
            handler.logLevel = level
            return handler
        }
    }

    /// Every line as written, newline included.
    var raw: [[UInt8]] { lines.withLock { $0 } }

    /// Every line as text.
    var texts: [String] { raw.map { String(decoding: $0, as: UTF8.self) } }

    /// Every line parsed as a JSON object (a line that is not one fails the test).
    func objects() throws -> [[String: JSONValue]] {
        try raw.map { line in
            guard let object = try JSONValue.parse(line).objectValue else { throw CaptureError.notAnObject }
            return object
        }
    }

    enum CaptureError: Error { case notAnObject }
}
