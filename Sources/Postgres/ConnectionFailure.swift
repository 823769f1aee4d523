/// Why a connection could not be opened, decided from libpq's connection state and the SQLSTATE the server
/// sent, never from message text: a service that is not PostgreSQL may have written that text.
public struct ConnectionFailure: Sendable, Hashable, CustomStringConvertible {
    private enum Kind: String, Sendable {
        case unreachable, authenticationFailed, databaseNotFound, unavailable, refused
    }

    private let kind: Kind
    private init(_ kind: Kind) { self.kind = kind }

    /// No PostgreSQL server answered: nothing listens there, the name does not resolve, the attempt timed out,
    /// TLS could not be set up, or what answered does not speak PostgreSQL's protocol.
    public static let unreachable = ConnectionFailure(.unreachable)
    /// The server refused the login (SQLSTATE class 28: a wrong password, an unknown role, a role that may not
    /// log in, no `pg_hba.conf` entry), or it asked for a password and the connection string gave none.
    public static let authenticationFailed = ConnectionFailure(.authenticationFailed)
    /// The database the connection string names does not exist (3D000).
    public static let databaseNotFound = ConnectionFailure(.databaseNotFound)
    /// The server takes no connections now: at its connection limit (class 53), starting up, shutting down or
    /// in recovery (class 57); also this process's own cap on connections to one database.
    public static let unavailable = ConnectionFailure(.unavailable)
    /// The server refused the connection with another SQLSTATE.
    public static let refused = ConnectionFailure(.refused)

    /// The failure a server means by the SQLSTATE it sent while the connection was being set up.
    public init(sqlState: String) {
        switch sqlState {
        case "3D000": kind = .databaseNotFound
        case _ where sqlState.hasPrefix("28"): kind = .authenticationFailed
        case _ where sqlState.hasPrefix("53") || sqlState.hasPrefix("57"): kind = .unavailable
        default: kind = .refused
        }
    }

    /// The kind's name, for logs: `unreachable`, `authenticationFailed`, …
    public var description: String { kind.rawValue }
}
