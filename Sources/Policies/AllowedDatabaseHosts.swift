import Platform
import Store

/// The database hosts and ports a connection string from a request may name (`ALLOWED_DB_HOSTS`).
///
/// Entries, comma-separated, each a place with an optional port: host names (matched exactly, ignoring case,
/// and never resolved: a name not listed is refused even when it resolves to a listed address), IPv4 and IPv6
/// addresses and CIDR ranges (`10.0.0.0/8`, `fd00::/8`), Unix socket directories (`/var/run/postgresql`,
/// matched exactly after trailing slashes are dropped), and `unix` for every Unix-domain socket including
/// libpq's default one. A port follows a colon (`db.internal:6543`, `10.0.0.0/8:6432`, `unix:5433`), IPv6 in
/// brackets (`[::1]:5433`, `[fd00::/8]:5432`); `*` is every port. An entry without a port allows the
/// PostgreSQL port, 5432, only. The default, `localhost,127.0.0.0/8,::1`, is loopback on 5432: no Unix
/// sockets, no other local service.
public struct AllowedDatabaseHosts: Sendable, Equatable {
    /// What an entry allows: one place, on one port or on every port.
    public struct Entry: Sendable, Hashable {
        /// Where.
        public let place: DatabasePlace
        /// The port, or nil for every port (`*`).
        public let port: Int?
    }

    /// The PostgreSQL port, which an entry without one allows.
    public static let defaultPort = 5432

    /// The entries, in the list's order.
    public private(set) var entries: [Entry] = []

    /// Loopback over TCP on the PostgreSQL port: `localhost`, `127.0.0.0/8`, `::1`.
    public static let loopback = try! AllowedDatabaseHosts(list: "localhost,127.0.0.0/8,::1")

    /// Reads a comma-separated list; an entry that is none of the accepted forms is an error naming its
    /// position (entries are not echoed). Spaces around entries are ignored; empty entries are skipped.
    public init(list: String) throws(ConfigurationError) {
        let entries = list.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces() }
        for (index, text) in entries.enumerated() where !text.isEmpty {
            guard let entry = Self.entry(text) else {
                throw ConfigurationError(variable: "ALLOWED_DB_HOSTS",
                                         message: "entry \(index + 1) is not a host name, an IP address, a CIDR range, "
                                             + "a socket directory or 'unix', with an optional ':PORT' (1-65535 or *)")
            }
            self.entries.append(entry)
        }
    }

    /// Whether libpq may connect to `endpoint`.
    public func allows(_ endpoint: DatabaseEndpoint) -> Bool {
        entries.contains { $0.place.contains(endpoint.target) && ($0.port == nil || $0.port == endpoint.port) }
    }

    /// Whether some entry names `target`'s place, whatever its port.
    public func names(_ target: DatabaseTarget) -> Bool {
        entries.contains { $0.place.contains(target) }
    }

    /// One entry: `PLACE`, `PLACE:PORT`, `[IPV6]` or `[IPV6]:PORT`; nil when it is none of these.
    private static func entry(_ text: String) -> Entry? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let inside = String(text[text.index(after: text.startIndex)..<close])
            guard inside.contains(":"), let range = IPAddressRange(inside) else { return nil }
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return Entry(place: .range(range), port: defaultPort) }
            guard rest.hasPrefix(":"), let port = port(rest.dropFirst()) else { return nil }
            return Entry(place: .range(range), port: port)
        }
        // A bare IPv6 address or range has colons of its own: it takes a port only in brackets.
        if let range = IPAddressRange(text), !range.network.isIPv4 || text.contains(":") {
            return Entry(place: .range(range), port: defaultPort)
        }
        if let colon = text.lastIndex(of: ":"), let port = port(text[text.index(after: colon)...]),
           let place = place(String(text[..<colon])), !place.isIPv6 {
            return Entry(place: place, port: port)
        }
        return place(text).map { Entry(place: $0, port: defaultPort) }
    }

    /// A place without a port, or nil.
    private static func place(_ text: String) -> DatabasePlace? {
        if text.lowercased() == "unix" { return .anyUnixSocket }
        if text.hasPrefix("/") || text.hasPrefix("@") { return .socketDirectory(DatabasePlace.withoutTrailingSlashes(text)) }
        if let range = IPAddressRange(text) { return .range(range) }
        if isHostName(text) { return .hostName(text.lowercased()) }
        return nil
    }

    /// `*` (every port, nil inside `.some`), or a port number (`portNumber`).
    private static func port(_ text: Substring) -> Int?? {
        if text == "*" { return .some(nil) }
        return portNumber(text).map { .some($0) }
    }

    /// A port written as 1–5 decimal digits, 1–65535; nil for anything else (signs, spaces, hex), which
    /// libpq might read otherwise.
    static func portNumber(_ text: Substring) -> Int? {
        guard (1...5).contains(text.utf8.count), text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let value = Int(text), (1...65_535).contains(value) else { return nil }
        return value
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
}
