import Logging
import Logs

/// Process-wide logging set-up, done once in a command's `run`.
enum LogSetup {
    /// Sends logs to standard error (spawn-fcgi -n keeps it, so systemd's journal collects it) at `LOG_LEVEL`
    /// (trace, debug, info, notice, warning, error, critical; default info) in `LOG_FORMAT` (json, the
    /// default, or text), with the fields of the request being served on every line (`RequestLogContext`),
    /// and returns the root logger.
    static func bootstrap(environment: [String: String]) -> Logger {
        let level = environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        let format = LogFormat(setting: environment["LOG_FORMAT"])
        LoggingSystem.bootstrap({ label, provider in
            (format ?? .json).handler(label: label, level: level, metadataProvider: provider)
        }, metadataProvider: RequestLogContext.metadataProvider)
        var logger = Logger(label: "pgassist")
        logger.logLevel = level
        if format == nil {
            logger.warning("LOG_FORMAT is neither json nor text; writing json", metadata: [
                "LOG_FORMAT": "\(environment["LOG_FORMAT"] ?? "")",
            ])
        }
        return logger
    }
}
