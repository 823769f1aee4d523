import Postgres
import Store

/// Decides, before any connection is attempted, whether a connection string from a request may be used.
///
/// The string is read by libpq's own parser, so URIs, `key=value` pairs, quoting and percent-encoding mean
/// here what they mean to libpq. A value holding a control character (a byte below 0x20, or 0x7F) is refused
/// first: it would reach whatever listens at the address as is. Then libpq's rules are applied: each slot of
/// a comma-separated host list is tried; a slot's `hostaddr` is what is connected to when given; a `host`
/// starting with `/` or `@` is a Unix socket; no host is the default Unix socket; one port serves every slot,
/// else each slot has its own, and an empty one is 5432. The `PGHOST`, `PGHOSTADDR` and `PGSERVICE` variables
/// of the worker fill in what the string leaves out, as libpq would (`PGPORT` never does: the string to
/// connect with names the port). Every slot must be on the allow-list with its port. Service definitions
/// (`service`, `servicefile`, `PGSERVICE`) are refused: a service file could name any host. No name is
/// resolved: host names match the list by name only. Last, only the keywords of `RequestConnectionOptions`
/// may be set: the others make libpq read the worker's files or credentials, or change the session under the tools.
public struct DatabaseHostPolicy: Sendable {
    /// Whether requests may carry connection strings at all (`ALLOW_REQUEST_CONNECTION_STRING=1`).
    public let allowsRequestConnectionStrings: Bool
    /// Where those strings may connect (`ALLOWED_DB_HOSTS`).
    public let allowedHosts: AllowedDatabaseHosts
    /// The worker's `PGHOST`, `PGHOSTADDR` and `PGSERVICE`, which libpq uses for what a string leaves out.
    public let libpqEnvironment: [String: String]

    /// The variables libpq reads that can decide where it connects.
    public static let hostVariables = ["PGHOST", "PGHOSTADDR", "PGSERVICE"]

    /// A policy; `libpqEnvironment` should be the worker's environment (only `hostVariables` are read).
    public init(allowsRequestConnectionStrings: Bool, allowedHosts: AllowedDatabaseHosts = .loopback,
                libpqEnvironment: [String: String] = [:]) {
        self.allowsRequestConnectionStrings = allowsRequestConnectionStrings
        self.allowedHosts = allowedHosts
        self.libpqEnvironment = libpqEnvironment.filter { Self.hostVariables.contains($0.key) }
    }

    /// The policy the deployment configured.
    public init(settings: ProjectSettings) {
        self.init(allowsRequestConnectionStrings: settings.allowsRequestConnectionStrings,
                  allowedHosts: settings.allowedDatabaseHosts, libpqEnvironment: settings.libpqEnvironment)
    }

    /// Returns the string to connect with when `connectionString` may be used (`RequestConnectionOptions.confined`:
    /// the same settings, with the port named and without the worker's password file, client certificate or
    /// `PGPASSWORD`); otherwise throws `connection_string_not_allowed` (request strings are off),
    /// `invalid_connection_string`, `control_character_not_allowed`, `db_host_not_allowed` or
    /// `connection_option_not_allowed` (a libpq keyword outside `RequestConnectionOptions.allowed`).
    @discardableResult
    public func check(_ connectionString: String) throws(DatabaseHostError) -> String {
        guard allowsRequestConnectionStrings else {
            throw DatabaseHostError(.connectionStringNotAllowed,
                                    "This server does not accept connection strings in requests; "
                                        + "use a project configured on the server.")
        }
        let info = try Self.parse(connectionString)
        if let keyword = RequestConnectionOptions.firstWithControlCharacter(in: info) {
            throw DatabaseHostError(.controlCharacterNotAllowed,
                                    "The value of the connection option '\(keyword)' contains a control character "
                                        + "(a byte below 0x20, or 0x7F), which a connection string may not carry.")
        }
        // Hosts first, then ports: a host that is not listed is refused whatever its port says.
        let targets = try targets(of: info)
        func position(_ index: Int) -> String {
            targets.count == 1 ? "The database host" : "Database host \(index + 1) of \(targets.count)"
        }
        for (index, target) in targets.enumerated() where !allowedHosts.names(target) {
            throw DatabaseHostError(.hostNotAllowed,
                                    "\(position(index)) (\(target.kind)) is not on this server's list of allowed database hosts.")
        }
        let endpoints = try Self.endpoints(targets, info: info)
        for (index, endpoint) in endpoints.enumerated() where !allowedHosts.allows(endpoint) {
            throw DatabaseHostError(.hostNotAllowed, "\(position(index)) (\(endpoint.target.kind)) is on this server's list of "
                                        + "allowed database hosts, but not with port \(endpoint.port).")
        }
        if let keyword = RequestConnectionOptions.firstRefused(in: info) {
            throw DatabaseHostError(.connectionOptionNotAllowed,
                                    "The connection option '\(keyword)' cannot be used in a request's connection string; "
                                        + "only where and as whom to connect (host, port, dbname, user, password, sslmode, …).")
        }
        return RequestConnectionOptions.confined(info)
    }

    /// Every place libpq would try to connect to for `connectionString`, in order; throws when the string
    /// is invalid or names a service or an unreadable `hostaddr`. Does not consult the allow-list.
    public func targets(of connectionString: String) throws(DatabaseHostError) -> [DatabaseTarget] {
        try targets(of: Self.parse(connectionString))
    }

    /// Every place libpq would try to connect to for `connectionString`, with its port, in order; throws as
    /// `targets(of:)` does, and when the ports cannot be matched to the hosts or one is not 1–65535.
    public func endpoints(of connectionString: String) throws(DatabaseHostError) -> [DatabaseEndpoint] {
        let info = try Self.parse(connectionString)
        return try Self.endpoints(targets(of: info), info: info)
    }

    /// libpq's reading of a request's connection string; throws `invalid_connection_string`.
    private static func parse(_ connectionString: String) throws(DatabaseHostError) -> ConnectionInfo {
        guard !connectionString.trimmingSpaces().isEmpty else {
            throw DatabaseHostError(.invalidConnectionString, "The connection string is empty.")
        }
        // A string libpq would take as a bare database name is refused rather than sent to the default host.
        guard ConnectionInfo.isConnectionString(connectionString) else {
            throw DatabaseHostError(.invalidConnectionString,
                                    "The connection string must be a postgresql:// URI or key=value pairs.")
        }
        do {
            return try ConnectionInfo(parsing: connectionString)
        } catch {
            throw DatabaseHostError(.invalidConnectionString, "The connection string cannot be parsed.")
        }
    }

    /// `targets` (the slots of `info`) with the port libpq uses for each: none (or an empty list) is 5432 for all,
    /// one port serves all, else one per slot (an empty entry is 5432). Only decimal digits are accepted,
    /// 1–65535 (`AllowedDatabaseHosts.portNumber`); the text is never echoed.
    private static func endpoints(_ targets: [DatabaseTarget], info: ConnectionInfo) throws(DatabaseHostError) -> [DatabaseEndpoint] {
        let text = info["port"] ?? ""
        let entries = text.isEmpty ? [""] : text.split(separator: ",", omittingEmptySubsequences: false)
        guard entries.count == 1 || entries.count == targets.count else {
            throw DatabaseHostError(.invalidConnectionString,
                                    "The connection string lists \(entries.count) ports for \(targets.count) hosts.")
        }
        var ports: [Int] = []
        for (index, entry) in entries.enumerated() {
            guard let port = entry.isEmpty ? AllowedDatabaseHosts.defaultPort : AllowedDatabaseHosts.portNumber(entry) else {
                let position = entries.count == 1 ? "The port" : "Port \(index + 1) of \(entries.count)"
                throw DatabaseHostError(.invalidConnectionString, "\(position) is not a number from 1 to 65535.")
            }
            ports.append(port)
        }
        return targets.enumerated().map { DatabaseEndpoint($1, port: ports.count == 1 ? ports[0] : ports[$0]) }
    }

    /// Every place libpq would try to connect to for the parsed string `info`.
    private func targets(of info: ConnectionInfo) throws(DatabaseHostError) -> [DatabaseTarget] {
        if info["service"] != nil || info["servicefile"] != nil || libpqEnvironment["PGSERVICE"] != nil {
            throw DatabaseHostError(.hostNotAllowed,
                                    "Connection service definitions cannot be used: name the host in the connection string.")
        }
        // libpq fills in an option from the environment only when the string leaves it unset (not when empty).
        let host = info["host"] ?? libpqEnvironment["PGHOST"] ?? ""
        let hostaddr = info["hostaddr"] ?? libpqEnvironment["PGHOSTADDR"] ?? ""
        return try Self.slots(host: host, hostaddr: hostaddr)
    }

    /// libpq's `connectOptions2`: one slot per `hostaddr` entry when given, else per `host` entry, else one.
    private static func slots(host: String, hostaddr: String) throws(DatabaseHostError) -> [DatabaseTarget] {
        let addresses = hostaddr.isEmpty ? nil : hostaddr.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let hosts = host.isEmpty ? nil : host.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let count = addresses?.count ?? hosts?.count ?? 1
        if let hosts, hosts.count != count {
            throw DatabaseHostError(.invalidConnectionString,
                                    "The connection string lists \(hosts.count) hosts but \(count) host addresses.")
        }
        var targets: [DatabaseTarget] = []
        for index in 0..<count {
            if let entry = addresses?[index], !entry.isEmpty {
                // libpq takes any getaddrinfo numeric form (`127.1`, octal); only plain addresses are judged.
                guard let address = IPAddress(entry) else {
                    let position = count == 1 ? "" : " \(index + 1) of \(count)"
                    throw DatabaseHostError(.hostNotAllowed,
                                            "The host address\(position) is not a plain IPv4 or IPv6 address.")
                }
                targets.append(.address(address))
            } else if let entry = hosts?[index], !entry.isEmpty {
                if entry.hasPrefix("/") || entry.hasPrefix("@") {
                    targets.append(.unixSocket(directory: entry))
                } else if let address = IPAddress(entry) {
                    targets.append(.address(address))
                } else {
                    targets.append(.hostName(entry))
                }
            } else {
                targets.append(.defaultUnixSocket)
            }
        }
        return targets
    }
}
