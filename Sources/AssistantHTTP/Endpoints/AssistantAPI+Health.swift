import ChatEngine
import HTTP
import Policies
import Store

extension AssistantAPI {
    /// `GET /health`: 200 `{"status": "ok", "store": "sqlite|postgres"}` when the store answers, else 503.
    func health(_ request: HTTPRequest) -> HTTPResponse {
        do {
            try store.ping()
            return .json(HealthResponse(status: "ok", store: store.kind.rawValue, error: nil, code: nil))
        } catch {
            logger.warning("health check failed", metadata: ["error": "\(error.debugDescription)"])
            let apiError = error.apiError
            return .json(HealthResponse(status: "unavailable", store: store.kind.rawValue,
                                        error: apiError.message, code: apiError.code.rawValue), status: 503)
        }
    }
}

/// The body of `GET /health`; a failing check also carries the usual `error` and `code`.
struct HealthResponse: Encodable {
    let status: String
    let store: String
    let error: String?
    let code: String?
}
