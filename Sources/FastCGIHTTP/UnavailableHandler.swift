import FastCGI
import HTTP
import Logging

/// Answers every request with one error; used by a worker thread that could not be set up (its store could not be
/// opened), so the failure is visible to clients and health checks instead of killing the worker.
public final class UnavailableHandler: FastCGIHandler {
    private let error: APIError
    private let logger: Logger

    /// A handler that answers `error` to everything, logging with `logger`.
    public init(answering error: APIError, logger: Logger) {
        self.error = error
        self.logger = logger
    }

    public func handle(_ exchange: FastCGIExchange) {
        ResponseWriter.write(HTTPResponse(error: error), to: exchange, logger: logger)
    }
}
