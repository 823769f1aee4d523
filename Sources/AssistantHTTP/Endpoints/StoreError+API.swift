import ChatEngine
import HTTP
import Store

extension APIError.Code {
    /// The thread store cannot be reached or answered with an error.
    public static let storeUnavailable = APIError.Code(rawValue: ChatError.Code.storeUnavailable.rawValue)
    /// The thread store stayed locked by other writers past the busy timeout.
    public static let storeBusy = APIError.Code(rawValue: ChatError.Code.storeBusy.rawValue)
    /// No model provider is configured, so chat cannot run.
    public static let modelNotConfigured = APIError.Code(rawValue: ChatError.Code.modelNotConfigured.rawValue)
}

extension StoreError {
    /// The HTTP error a client gets for this store failure: 503, with `Retry-After` when waiting helps.
    var apiError: APIError { APIError(ChatError(self)) }
}

extension AssistantAPI {
    /// Runs a store operation, logging failures with their details and turning them into API errors.
    func withStore<T>(_ operation: String, _ body: () throws(StoreError) -> T) throws(APIError) -> T {
        do {
            return try body()
        } catch {
            logger.error("store operation failed", metadata: ["operation": "\(operation)", "error": "\(error.debugDescription)"])
            throw error.apiError
        }
    }

    /// The answer of a worker thread whose store could not be opened: 503 `store_unavailable`.
    public static let storeUnavailable = APIError(status: 503, code: .storeUnavailable,
                                                  message: "The thread store could not be opened; the error has been logged.")
}
