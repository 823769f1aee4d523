import FastCGI
import HTTP
import Logging

/// Answers every request 503 `store_unavailable`; used by a worker thread whose store could not be opened,
/// so the failure is visible to clients and health checks instead of killing the worker.
final class UnavailableHandler: FastCGIHandler {
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    func handle(_ exchange: FastCGIExchange) {
        let error = APIError(status: 503, code: .storeUnavailable,
                             message: "The thread store could not be opened; the error has been logged.")
        ResponseWriter.write(HTTPResponse(error: error), to: exchange, logger: logger)
    }
}
