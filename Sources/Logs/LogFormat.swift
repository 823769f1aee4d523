import Logging

/// How log lines look (`LOG_FORMAT`): `json`, one JSON object per line for the journal and log
/// collectors (the default), or `text`, swift-log's human-readable lines.
public enum LogFormat: String, Sendable, CaseIterable {
    case json
    case text

    /// The format `LOG_FORMAT` names (any case); `json` when unset or empty, nil when it names neither.
    public init?(setting: String?) {
        guard let setting, !setting.isEmpty else {
            self = .json
            return
        }
        self.init(rawValue: setting.lowercased())
    }

    /// A handler writing to standard error in this format at `level`, with the request context from
    /// `metadataProvider` (a factory for `LoggingSystem.bootstrap(_:metadataProvider:)`).
    public func handler(label: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider?) -> any LogHandler {
        switch self {
        case .json:
            var handler = JSONLogHandler(metadataProvider: metadataProvider)
            handler.logLevel = level
            return handler
        case .text:
            var handler = StreamLogHandler.standardError(label: label, metadataProvider: metadataProvider)
            handler.logLevel = level
            return handler
        }
    }
}
