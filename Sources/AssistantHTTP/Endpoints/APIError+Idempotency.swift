import ChatEngine
import HTTP
import Policies
import Store

extension APIError.Code {
    /// A request with the same Idempotency-Key is still running; retry after it finished.
    public static let requestInProgress = APIError.Code(rawValue: "request_in_progress")
    /// The Idempotency-Key was already used for a request with a different body.
    public static let idempotencyKeyReused = APIError.Code(rawValue: "idempotency_key_reused")
}

extension APIError {
    /// 409: the first request with this key has not finished yet.
    static func requestInProgress() -> APIError {
        APIError(status: 409, code: .requestInProgress,
                 message: "A request with this Idempotency-Key is still running; retry once it has finished.",
                 headers: [("Retry-After", "1")])
    }

    /// 422: the key belongs to a request with another body.
    static func idempotencyKeyReused() -> APIError {
        APIError(status: 422, code: .idempotencyKeyReused,
                 message: "This Idempotency-Key was already used for a different request; use a new key for a new request.")
    }
}
