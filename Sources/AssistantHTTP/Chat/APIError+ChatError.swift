import ChatEngine
import HTTP

extension APIError {
    /// The response for a chat engine error: its code and message, the status that goes with the code, and
    /// `Retry-After` when trying again helps. The one place chat codes meet HTTP statuses.
    public init(_ error: ChatError) {
        let headers = error.retryAfterSeconds.map { [(name: "Retry-After", value: "\($0)")] } ?? []
        self.init(status: Self.status(of: error.code), code: Code(rawValue: error.code.rawValue), message: error.message,
                  headers: headers)
    }

    /// The HTTP status of each chat code; a code not listed is a 500.
    private static func status(of code: ChatError.Code) -> Int {
        switch code {
        case .runInProgress, .actionPending: 409
        case .threadNotFound, .actionNotFound, .runNotFound, .projectNotFound: 404
        case .invalidApproval, .databaseHostNotAllowed, .connectionStringNotAllowed: 403
        case .invalidConnectionString, .connectionOptionNotAllowed, .controlCharacterNotAllowed: 400
        case .rateLimited, .providerRateLimited: 429
        case .contextTooLong: 422
        case .deadlineExceeded, .providerTimeout: 504
        case .providerAuthFailed, .providerError, .providerUnreachable, .providerRejected: 502
        case .modelNotConfigured, .storeBusy, .storeUnavailable: 503
        default: 500
        }
    }
}
