import ChatEngine
import HTTP
import Policies
import Store

extension APIError.Code {
    /// The request's authenticated user is not an administrator (`ADMIN_USERS`).
    static let adminRequired = APIError.Code(rawValue: "admin_required")
}

extension APIError {
    /// 403: only the users listed in `ADMIN_USERS` may call this endpoint.
    static func adminRequired() -> APIError {
        APIError(status: 403, code: .adminRequired,
                 message: "Only administrators may change the assistant definition; ask for your user to be added to ADMIN_USERS.")
    }
}
