import Postgres
import Synchronization

/// Connections to users' databases, reused across requests within a worker process and keyed by
/// connection string, with a cap per database. A connection is lent to one thread at a time.
public final class ConnectionPool: Sendable {
    /// A connection on loan; give it back with `checkIn` (or drop it when it may be broken).
    public final class Lease: @unchecked Sendable {
        /// The connection; only the borrowing thread uses it until it is checked in.
        public let connection: PostgresConnection
        let key: String
        /// Whether the connection served earlier requests (it may have died while idle).
        public let isReused: Bool

        init(connection: PostgresConnection, key: String, isReused: Bool) {
            self.connection = connection
            self.key = key
            self.isReused = isReused
        }
    }

    private struct State {
        var idle: [String: [Lease]] = [:]
        var open: [String: Int] = [:]
    }

    private let state = Mutex(State())
    private let capacity: Int

    /// Creates a pool with at most `capacityPerDatabase` open connections per connection string.
    public init(capacityPerDatabase: Int = 4) { capacity = max(1, capacityPerDatabase) }

    /// Borrows a live connection to `connectionString`, opening one when none is idle.
    /// When the cap is reached it waits (polling every 10 ms) up to `connectTimeoutSeconds`.
    public func checkOut(_ connectionString: String, connectTimeoutSeconds: Int) throws(PostgresError) -> Lease {
        let deadline = ContinuousClock.now + .seconds(connectTimeoutSeconds)
        while true {
            let decision: Lease?? = state.withLock { state in
                while let lease = state.idle[connectionString]?.popLast() {
                    if lease.connection.isConnected { return .some(lease) }
                    state.open[connectionString, default: 1] -= 1
                }
                if state.open[connectionString, default: 0] < capacity {
                    state.open[connectionString, default: 0] += 1
                    return .some(nil)  // the caller opens a new one
                }
                return nil  // full: wait
            }
            switch decision {
            case .some(.some(let lease)):
                return Lease(connection: lease.connection, key: lease.key, isReused: true)
            case .some(.none):
                do {
                    let connection = try PostgresConnection(connectionString: connectionString,
                                                            connectTimeoutSeconds: connectTimeoutSeconds,
                                                            applicationName: "pgassist-tools")
                    return Lease(connection: connection, key: connectionString, isReused: false)
                } catch {
                    state.withLock { $0.open[connectionString, default: 1] -= 1 }
                    throw error
                }
            case .none:
                if ContinuousClock.now >= deadline {
                    throw PostgresError(code: .connectionFailed,
                                        message: "all \(capacity) connections to this database are busy")
                }
                usleepMilliseconds(10)
            }
        }
    }

    /// Returns a connection; `reusable: false` closes it (its session state may have changed or it broke).
    public func checkIn(_ lease: Lease, reusable: Bool) {
        state.withLock { state in
            if reusable && lease.connection.isConnected && !lease.connection.isInTransaction {
                state.idle[lease.key, default: []].append(lease)
            } else {
                state.open[lease.key, default: 1] -= 1
            }
        }
    }

    private func usleepMilliseconds(_ milliseconds: Int) {
        var request = timespec(tv_sec: 0, tv_nsec: milliseconds * 1_000_000)
        nanosleep(&request, nil)
    }
}

#if canImport(Glibc)
import Glibc
#endif
