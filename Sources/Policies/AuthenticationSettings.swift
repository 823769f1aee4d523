import Platform
/// Whether requests must carry a user authenticated by the front server, read once per worker from the environment.
public struct AuthenticationSettings: Sendable {
    /// Every endpoint but health and metrics refuses a request without an authenticated user (nginx's
    /// `AUTH_USER`) with 401 `auth_required` (`REQUIRE_AUTH_USER`, `1`/`true` or `0`/`false`; default false,
    /// for local development, where the `userId` the client sends is used).
    public var requiresAuthenticatedUser = false

    /// The default: authentication is not required.
    public init() {}

    /// Reads the settings from `environment`; a malformed value is an error naming the variable.
    public init(environment: [String: String]) throws(ConfigurationError) {
        requiresAuthenticatedUser = try EnvironmentReader(environment).boolean("REQUIRE_AUTH_USER", default: false)
    }
}
