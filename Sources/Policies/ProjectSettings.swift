import Platform
import Store

/// Where the assistant's databases come from: the server-side project list, and whether and where a
/// request's own connection string may connect. Read once per worker from the environment.
public struct ProjectSettings: Sendable {
    /// The JSON file mapping project refs to databases and tool policies (`PROJECTS_FILE`; none by default).
    public var projectsFile: String?
    /// Whether a chat request may carry its own connection string (`ALLOW_REQUEST_CONNECTION_STRING`,
    /// `1`/`true` or `0`/`false`; default false).
    public var allowsRequestConnectionStrings = false
    /// Where such strings may connect (`ALLOWED_DB_HOSTS`; default loopback on port 5432, no Unix sockets).
    public var allowedDatabaseHosts: AllowedDatabaseHosts = .loopback
    /// The worker's `PGHOST`, `PGHOSTADDR` and `PGSERVICE`: libpq uses them for what a string leaves out.
    public var libpqEnvironment: [String: String] = [:]

    /// The defaults: no projects file, no request connection strings.
    public init() {}

    /// Reads the settings from `environment` (normally the whole process environment); a malformed value
    /// is an error naming the variable.
    public init(environment variables: [String: String]) throws(ConfigurationError) {
        let environment = EnvironmentReader(variables, trimsSpaces: true)
        projectsFile = environment.string("PROJECTS_FILE")
        allowsRequestConnectionStrings = try environment.boolean("ALLOW_REQUEST_CONNECTION_STRING", default: false)
        if let list = environment.string("ALLOWED_DB_HOSTS") {
            allowedDatabaseHosts = try AllowedDatabaseHosts(list: list)
        }
        libpqEnvironment = variables.filter { DatabaseHostPolicy.hostVariables.contains($0.key) }
    }
}
