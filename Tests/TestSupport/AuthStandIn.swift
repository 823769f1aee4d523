import JSON

/// The stand-in for the deployment's auth service (`Tests/AuthStandIn/auth_standin.py`), the target
/// of nginx's `auth_request` in tests: `Authorization: Bearer TOKEN` for a token in its table is a
/// 200 with `X-Auth-User: USER`, anything else a 401.
///
/// A token mapped to an empty user is answered 200 without `X-Auth-User`; a token in `forbidden` is
/// answered 403. The auth service itself is the deployment's; we ship only the nginx side.
public final class AuthStandIn: Sendable {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    public let baseURL: String
    /// The TCP port it listens on (127.0.0.1 only).
    public let port: Int
    private let server: PythonServer

    /// Starts the stand-in on a free port with `users` (token → user) and waits (up to 30 s) until it listens.
    public init(users: [String: String], forbidden: [String] = []) throws {
        server = try PythonServer(script: "AuthStandIn/auth_standin.py") { directory in
            // A file rather than arguments: tokens stay out of the process list.
            let tokensFile = directory.file("tokens.json")
            try JSONValue.object(users.mapValues(JSONValue.string)).serialized()
                .write(toFile: tokensFile, atomically: true, encoding: .utf8)
            return ["--tokens", tokensFile] + forbidden.flatMap { ["--forbid", $0] }
        }
        port = server.port
        baseURL = server.rootURL
    }

    /// Every auth request received since the start or the last `reset()`, oldest first: objects with
    /// `method`, `path`, `headers` (Authorization masked but for its last 4 characters) and `bodyBytes`.
    public func requests() throws -> [JSONValue] { try server.requests() }

    /// Forgets the recorded requests.
    public func reset() throws { try server.reset() }

    /// Kills the server. Safe to call more than once.
    public func stop() { server.stop() }

    /// Everything the server wrote: its startup line and one line per request (tokens masked).
    public var log: String { server.log }
}
