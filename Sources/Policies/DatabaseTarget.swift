import Store
/// One place libpq would try to connect to for a connection string: one host slot of a (possibly
/// multi-host) string, after libpq's rules for `host`, `hostaddr` and the default socket.
public enum DatabaseTarget: Sendable, Hashable, CustomStringConvertible {
    /// A TCP address: a `hostaddr` entry, or a `host` entry that is a literal address.
    case address(IPAddress)
    /// A `host` entry libpq would look up by name (no `hostaddr` for its slot).
    case hostName(String)
    /// A Unix-domain socket in this directory (a `host` starting with `/`), or an abstract socket (`@name`).
    case unixSocket(directory: String)
    /// No host at all: libpq's compiled-in socket directory (`/var/run/postgresql` on Debian).
    case defaultUnixSocket

    /// What kind of target this is, without its value (values may come from a mistyped password).
    public var kind: String {
        switch self {
        case .address: "an address"
        case .hostName: "a host name"
        case .unixSocket: "a Unix socket directory"
        case .defaultUnixSocket: "the default Unix socket"
        }
    }

    /// The target with its value, for tests and debugging; do not log it (see `kind`).
    public var description: String {
        switch self {
        case .address(let address): "address \(address)"
        case .hostName(let name): "host name \(name)"
        case .unixSocket(let directory): "unix socket \(directory)"
        case .defaultUnixSocket: "default unix socket"
        }
    }
}
