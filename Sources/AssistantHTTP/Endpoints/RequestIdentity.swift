import ChatEngine
import HTTP
import Logs
import Operations
import Policies
import Store

/// Who a request acts for.
///
/// When the front server authenticated the request (nginx's `AUTH_USER`), that user is the only one the
/// request may act for: a `userId` the client sends as well must name the same user (else 403
/// `user_mismatch`) and may be left out. Without an authenticated user (local development) the client's
/// `userId` is used, unless `REQUIRE_AUTH_USER=1`, which refuses such requests before they reach an endpoint.
enum RequestIdentity {
    /// Paths that answer without an authenticated user even when one is required: they are for monitoring
    /// and act for no user.
    static let openPaths: Set<String> = ["\(AssistantAPI.prefix)/health", "\(AssistantAPI.prefix)/metrics"]

    /// 401 `auth_required` when `settings` require an authenticated user, `request` carries none and its path
    /// is not one of `openPaths`.
    static func requireAuthenticatedUser(_ request: HTTPRequest, settings: AuthenticationSettings) throws(APIError) {
        guard settings.requiresAuthenticatedUser, request.authenticatedUser == nil else { return }
        // Exact paths, as the router matches them: any other spelling is refused here or there.
        if openPaths.contains(request.path) { return }
        throw APIError.authRequired()
    }

    /// The user a request acts for: `authenticated` when there is one (403 when `claimed` names someone
    /// else), else `claimed` (400 when absent). `place` says where `claimed` came from ("body", "query string").
    /// The request's log lines name the user from then on (`RequestLogContext`).
    static func userId(authenticated: String?, claimed: String?, in place: String) throws(APIError) -> String {
        guard let authenticated else {
            guard let claimed else { throw APIError.missingField("userId", in: place) }
            RequestLogContext.current?.user = claimed
            return claimed
        }
        if let claimed, claimed != authenticated { throw APIError.userMismatch(in: place) }
        return authenticated
    }

    /// The user a request with a `userId` query parameter acts for (the parameter is validated even when
    /// the authenticated user decides).
    static func userId(fromQueryOf request: HTTPRequest) throws(APIError) -> String {
        try userId(authenticated: request.authenticatedUser, claimed: try UserIdentifier.fromQuery(request), in: "query string")
    }
}
