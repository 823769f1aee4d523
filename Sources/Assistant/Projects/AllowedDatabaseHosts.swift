/// The database hosts a connection string from a request may name (`ALLOWED_DB_HOSTS`).
///
/// Entries, comma-separated: host names (matched exactly, ignoring case, and never resolved: a name
/// not listed is refused even when it resolves to a listed address), IPv4 and IPv6 addresses and CIDR
/// ranges (`10.0.0.0/8`, `fd00::/8`), Unix socket directories (`/var/run/postgresql`, matched exactly
/// after trailing slashes are dropped), and `unix` for every Unix-domain socket including libpq's
/// default one. The default is `localhost,127.0.0.0/8,::1,unix`.
public struct AllowedDatabaseHosts: Sendable, Equatable {
    /// Host names, lowercased.
    public private(set) var hostNames: Set<String> = []
    /// Address ranges.
    public private(set) var ranges: [IPAddressRange] = []
    /// Unix socket directories, without trailing slashes.
    public private(set) var socketDirectories: Set<String> = []
    /// Whether every Unix-domain socket is allowed (`unix`).
    public private(set) var allowsAnyUnixSocket = false

    /// Loopback over TCP (`localhost`, `127.0.0.0/8`, `::1`) and Unix sockets.
    public static let loopbackAndUnixSockets = try! AllowedDatabaseHosts(list: "localhost,127.0.0.0/8,::1,unix")

    /// Reads a comma-separated list; an entry that is none of the accepted forms is an error naming its
    /// position (entries are not echoed). Spaces around entries are ignored; empty entries are skipped.
    public init(list: String) throws(ConfigurationError) {
        let entries = list.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces() }
        for (index, entry) in entries.enumerated() where !entry.isEmpty {
            if entry.lowercased() == "unix" {
                allowsAnyUnixSocket = true
            } else if entry.hasPrefix("/") || entry.hasPrefix("@") {
                socketDirectories.insert(Self.withoutTrailingSlashes(entry))
            } else if let range = IPAddressRange(entry) {
                ranges.append(range)
            } else if Self.isHostName(entry) {
                hostNames.insert(entry.lowercased())
            } else {
                throw ConfigurationError(variable: "ALLOWED_DB_HOSTS",
                                         message: "entry \(index + 1) is not a host name, an IP address, a CIDR range, "
                                             + "a socket directory or 'unix'")
            }
        }
    }

    /// Whether libpq may connect to `target`.
    public func allows(_ target: DatabaseTarget) -> Bool {
        switch target {
        case .address(let address): ranges.contains { $0.contains(address) }
        case .hostName(let name): hostNames.contains(name.lowercased())
        case .unixSocket(let directory):
            allowsAnyUnixSocket || socketDirectories.contains(Self.withoutTrailingSlashes(directory))
        case .defaultUnixSocket: allowsAnyUnixSocket
        }
    }

    /// Letters, digits, `-` and `_` in dot-separated labels of 1–63 characters, 253 at most in all.
    private static func isHostName(_ text: String) -> Bool {
        guard text.utf8.count <= 253 else { return false }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            (1...63).contains(label.utf8.count)
                && label.utf8.allSatisfy { byte in
                    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                        || byte == 0x2D || byte == 0x5F
                }
        }
    }

    private static func withoutTrailingSlashes(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return String(path)
    }
}
