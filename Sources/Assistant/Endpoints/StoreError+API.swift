import HTTP

extension StoreError {
    /// The HTTP error a client gets for this store failure: 503, with `Retry-After` when waiting helps.
    var apiError: APIError {
        switch code {
        case .busy:
            APIError(status: 503, code: .storeBusy,
                     message: "The thread store is busy with other writes; try again shortly.",
                     headers: [("Retry-After", "1")])
        case .unavailable:
            APIError(status: 503, code: .storeUnavailable,
                     message: "The thread store cannot be reached; try again shortly.", headers: [("Retry-After", "5")])
        default:
            APIError(status: 503, code: .storeUnavailable, message: "The thread store failed to answer; the error has been logged.")
        }
    }
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
}
