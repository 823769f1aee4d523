import Logging

/// Process-wide logging set-up, done once in a command's `run`.
enum LogSetup {
    /// Sends logs to standard error (spawn-fcgi -n keeps it, so systemd's journal collects it) at `LOG_LEVEL`
    /// (trace, debug, info, notice, warning, error, critical; default info) and returns the root logger.
    static func bootstrap(environment: [String: String]) -> Logger {
        let level = environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "pgassist")
        logger.logLevel = level
        return logger
    }
}
