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
    public init(environment: [String: String]) throws(ConfigurationError) {
        if let path = environment["PROJECTS_FILE"]?.trimmingSpaces(), !path.isEmpty { projectsFile = path }
        switch environment["ALLOW_REQUEST_CONNECTION_STRING"]?.trimmingSpaces().lowercased() {
        case nil, "", "0", "false": allowsRequestConnectionStrings = false
        case "1", "true": allowsRequestConnectionStrings = true
        default:
            throw ConfigurationError(variable: "ALLOW_REQUEST_CONNECTION_STRING", message: "must be 1 or 0")
        }
        if let list = environment["ALLOWED_DB_HOSTS"], !list.trimmingSpaces().isEmpty {
            allowedDatabaseHosts = try AllowedDatabaseHosts(list: list)
        }
        libpqEnvironment = environment.filter { DatabaseHostPolicy.hostVariables.contains($0.key) }
    }
}
