import Store
/// One place libpq would try to connect to, with the port it would use there.
public struct DatabaseEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The host slot.
    public let target: DatabaseTarget
    /// The TCP port, or the number in the socket file's name (`.s.PGSQL.5432`) for a Unix socket.
    public let port: Int

    /// An endpoint.
    public init(_ target: DatabaseTarget, port: Int) {
        self.target = target
        self.port = port
    }

    /// The endpoint with its values, for tests and debugging; do not log it (see `DatabaseTarget.kind`).
    public var description: String { "\(target) port \(port)" }
}
