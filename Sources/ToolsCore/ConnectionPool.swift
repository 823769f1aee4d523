import Platform
import Postgres
import Synchronization

/// Connections to users' databases, reused across requests within a worker process and keyed by
/// connection string, with a cap per database. A connection is lent to one thread at a time.
///
/// Every open connection is counted from the moment its connect starts until it is closed; a
/// failed connect, a connection given back as not reusable, one found dead while idle and a lease
/// dropped without being given back all take their place off the count, so a database that was
/// down or restarted never leaves the pool full of connections that do not exist.
public final class ConnectionPool: Sendable {
    /// A connection on loan; give it back with `checkIn` (or drop it when it may be broken).
    /// A lease released without `checkIn` gives its place back as not reusable.
    public final class Lease: @unchecked Sendable {
        /// The connection; only the borrowing thread uses it until it is checked in.
        public let connection: PostgresConnection
        let key: String
        /// Whether the connection served earlier requests (it may have died while idle).
        public let isReused: Bool
        private let pool: ConnectionPool
        private let returned = Atomic<Bool>(false)

        init(connection: PostgresConnection, key: String, isReused: Bool, pool: ConnectionPool) {
            self.connection = connection
            self.key = key
            self.isReused = isReused
            self.pool = pool
        }

        /// Marks the lease as given back; true only the first time.
        func markReturned() -> Bool {
            !returned.exchange(true, ordering: .acquiringAndReleasing)
        }

        deinit {
            if markReturned() { pool.release(connection, key: key, reusable: false) }
        }
    }

    /// An idle connection; only the pool touches it until it is lent again.
    private struct Idle: @unchecked Sendable {
        let connection: PostgresConnection
    }

    private struct State {
        var idle: [String: [Idle]] = [:]
        var open: [String: Int] = [:]

        /// One connection to `key` fewer; keys with none left are removed, so that many
        /// different databases over a worker's life do not grow the tables.
        mutating func close(_ key: String) {
            let left = (open[key] ?? 1) - 1
            open[key] = left > 0 ? left : nil
        }
    }

    private let state = Mutex(State())
    private let capacity: Int

    /// Creates a pool with at most `capacityPerDatabase` open connections per connection string.
    public init(capacityPerDatabase: Int = 4) { capacity = max(1, capacityPerDatabase) }

    /// Borrows a live connection to `connectionString`, opening one when none is idle. Idle
    /// connections are probed first and dropped when the server closed them (a restart, an
    /// administrator). When the cap is reached it waits (polling every 10 ms) up to `connectTimeoutSeconds`,
    /// then throws a `.connectionFailed` error whose `connectionFailure` is `.unavailable`. A new connection
    /// is opened with `PostgresConnection(diagnosing:)`: its failures are classified, with no text from the server.
    public func checkOut(_ connectionString: String, connectTimeoutSeconds: Int) throws(PostgresError) -> Lease {
        let deadline = ContinuousClock.now + .seconds(connectTimeoutSeconds)
        while true {
            let decision: Decision = state.withLock { state in
                if let idle = state.idle[connectionString]?.popLast() {
                    if state.idle[connectionString]?.isEmpty == true { state.idle[connectionString] = nil }
                    return .reuse(idle.connection)
                }
                if state.open[connectionString, default: 0] < capacity {
                    state.open[connectionString, default: 0] += 1
                    return .open
                }
                return .wait
            }
            switch decision {
            case .reuse(let connection):
                // Probing reads the socket without waiting, so it is done outside the lock.
                if connection.probe() {
                    return Lease(connection: connection, key: connectionString, isReused: true, pool: self)
                }
                state.withLock { $0.close(connectionString) }
            case .open:
                do {
                    // Users' databases may be anything at any address: failures are classified, never quoted.
                    let connection = try PostgresConnection(diagnosing: connectionString,
                                                            connectTimeoutSeconds: connectTimeoutSeconds,
                                                            applicationName: "pgassist-tools")
                    return Lease(connection: connection, key: connectionString, isReused: false, pool: self)
                } catch {
                    state.withLock { $0.close(connectionString) }
                    throw error
                }
            case .wait:
                if ContinuousClock.now >= deadline {
                    throw PostgresError(code: .connectionFailed,
                                        message: "all \(capacity) connections to this database are busy",
                                        connectionFailure: .unavailable)
                }
                Sleep.milliseconds(10)
            }
        }
    }

    /// Returns a connection; `reusable: false` closes it (its session state may have changed or it broke).
    /// Giving the same lease back twice does nothing the second time.
    public func checkIn(_ lease: Lease, reusable: Bool) {
        guard lease.markReturned() else { return }
        release(lease.connection, key: lease.key, reusable: reusable)
    }

    /// How many connections to `connectionString` are open: lent out, idle, or connecting.
    public func openConnections(to connectionString: String) -> Int {
        state.withLock { $0.open[connectionString] ?? 0 }
    }

    /// How many connections to `connectionString` are idle, ready to be lent.
    public func idleConnections(to connectionString: String) -> Int {
        state.withLock { $0.idle[connectionString]?.count ?? 0 }
    }

    private enum Decision {
        case reuse(PostgresConnection)
        case open
        case wait
    }

    /// Keeps a reusable, healthy connection idle; otherwise takes it off the count (it closes when
    /// its last reference goes).
    private func release(_ connection: PostgresConnection, key: String, reusable: Bool) {
        let keep = reusable && connection.isConnected && !connection.isInTransaction
        state.withLock { state in
            if keep {
                state.idle[key, default: []].append(Idle(connection: connection))
            } else {
                state.close(key)
            }
        }
    }
}
