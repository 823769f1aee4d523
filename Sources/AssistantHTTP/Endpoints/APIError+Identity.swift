import ChatEngine
import HTTP
import Policies
import Store

extension APIError.Code {
    /// The request names a user other than the one the front server authenticated.
    static let userMismatch = APIError.Code(rawValue: "user_mismatch")
    /// The server requires an authenticated user (`REQUIRE_AUTH_USER=1`) and the front server passed none.
    static let authRequired = APIError.Code(rawValue: "auth_required")
}

extension APIError {
    /// 403: the `userId` in the request is not the authenticated user; `place` is where it was sent.
    static func userMismatch(in place: String) -> APIError {
        APIError(status: 403, code: .userMismatch,
                 message: "The 'userId' in the \(place) is not the signed-in user; leave it out or send your own.")
    }

    /// 401: no authenticated user came with the request, and this server requires one.
    static func authRequired() -> APIError {
        APIError(status: 401, code: .authRequired,
                 message: "This server requires a signed-in user, and the request carried none; sign in and try again.",
                 headers: [("WWW-Authenticate", "Bearer")])
    }
}
