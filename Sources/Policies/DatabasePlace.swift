import Store
/// Where an `ALLOWED_DB_HOSTS` entry lets a request's connection string connect, without the port.
public enum DatabasePlace: Sendable, Hashable {
    /// A host name, lowercased; matched by name, never resolved.
    case hostName(String)
    /// An address range (a single address is a range of one).
    case range(IPAddressRange)
    /// A Unix socket directory (or abstract socket, `@name`), without trailing slashes.
    case socketDirectory(String)
    /// Every Unix-domain socket, libpq's default one included (`unix`).
    case anyUnixSocket

    /// Whether `target` is at this place.
    public func contains(_ target: DatabaseTarget) -> Bool {
        switch (self, target) {
        case (.range(let range), .address(let address)): range.contains(address)
        case (.hostName(let name), .hostName(let other)): name == other.lowercased()
        case (.socketDirectory(let directory), .unixSocket(let other)): directory == Self.withoutTrailingSlashes(other)
        case (.anyUnixSocket, .unixSocket), (.anyUnixSocket, .defaultUnixSocket): true
        default: false
        }
    }

    /// Whether this is a range of IPv6 addresses, whose text has colons of its own.
    var isIPv6: Bool {
        if case .range(let range) = self { return !range.network.isIPv4 }
        return false
    }

    /// `path` without trailing slashes (`/` stays).
    static func withoutTrailingSlashes(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return String(path)
    }
}
