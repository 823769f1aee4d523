import Logging
import Platform
import Policies
import Postgres
import Store
import Synchronization

/// The run locks of one worker process on a PostgreSQL store: a session advisory lock for each run this
/// process drives, all held on one store connection of their own.
///
/// Workers on other hosts tell whether a run's driver lives by trying its lock (`RunStore.runLockIsFree`):
/// the server frees a session's locks when the process or its connection dies. A store restart frees them
/// too while the drivers live on, so a background check (every second while any lock is wanted) notices a
/// lost connection, connects again and takes every wanted lock again. Until it has, `runLockIsFree` cannot
/// tell for a store that started less than `retakeWindowMilliseconds` ago; and a driver whose run was
/// ended by someone else all the same finds out at its next write (run messages are fenced by run state).
public final class RunLockKeeper: Sendable {
    /// How long after the store server starts a free run lock is not taken as proof that the driver is gone.
    public static let retakeWindowMilliseconds = RunLockKey.retakeWindowMilliseconds
    /// How often the background check looks at the connection while locks are wanted.
    static let checkIntervalMilliseconds = 1_000

    private struct State: ~Copyable {
        var connection: PostgresConnection?
        /// Runs this process drives, whose locks it must hold.
        var wanted: Set<String> = []
        /// Runs whose lock the current connection holds.
        var taken: Set<String> = []
        var checking = false
        /// Whether the warning about locks that cannot be taken again was logged (once per loss).
        var lossReported = false
        /// Background checks made while locks were wanted.
        var checks = 0
    }

    private let connectionString: String
    private let connectTimeoutSeconds: Int
    private let logger: Logger
    private let state = Mutex(State())

    /// A keeper for the store at `connectionString`; connects on first use.
    public init(connectionString: String, connectTimeoutSeconds: Int = 5, logger: Logger) {
        self.connectionString = connectionString
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.logger = logger
    }

    /// Takes the lock of `runId` for as long as this process drives it; false when it could not be taken
    /// now (the store is down: the background check keeps trying).
    @discardableResult
    public func hold(runId: String) -> Bool {
        let (taken, startChecking) = state.withLock { state -> (Bool, Bool) in
            state.wanted.insert(runId)
            let taken = take(runId, in: &state)
            let start = !state.checking
            state.checking = true
            return (taken, start)
        }
        if startChecking { startCheckingThread() }
        return taken
    }

    /// Lets go of the lock of `runId` (when the store is unreachable, its session already lost it).
    public func release(runId: String) {
        state.withLock { state in
            state.wanted.remove(runId)
            guard state.taken.remove(runId) != nil, let connection = state.connection else { return }
            do throws(PostgresError) {
                _ = try connection.query("SELECT pg_advisory_unlock($1::int, $2::int)", RunLockKey(runId: runId).parameters)
            } catch {
                drop(error, in: &state)
            }
        }
    }

    /// Whether this process currently holds the lock of `runId` (for tests and diagnostics).
    public func holds(runId: String) -> Bool {
        state.withLock { $0.taken.contains(runId) }
    }

    /// How many background checks ran while locks were wanted (one a second; for tests and diagnostics).
    public var checkCount: Int {
        state.withLock { $0.checks }
    }

    // MARK: Keeping the locks

    /// Takes one lock on the keeper's connection (connecting when needed).
    private func take(_ runId: String, in state: inout State) -> Bool {
        if state.taken.contains(runId) { return true }
        guard let connection = liveConnection(in: &state) else { return false }
        do throws(PostgresError) {
            // try: a lock held elsewhere (a hash collision) must not stall the worker.
            let result = try connection.query("SELECT pg_try_advisory_lock($1::int, $2::int)", RunLockKey(runId: runId).parameters)
            guard result.string(0, 0) == "t" else {
                logger.warning("another session holds this run's lock", metadata: ["run_id": "\(runId)"])
                return false
            }
            state.taken.insert(runId)
            return true
        } catch {
            drop(error, in: &state)
            return false
        }
    }

    /// The keeper's connection when it is usable; a broken one is replaced (its locks are gone with it).
    private func liveConnection(in state: inout State) -> PostgresConnection? {
        if let connection = state.connection {
            if connection.probe() { return connection }
            state.connection = nil
            state.taken = []
        }
        let connection = connect()
        state.connection = connection
        return connection
    }

    private func connect() -> PostgresConnection? {
        try? PostgresConnection(connectionString: connectionString, connectTimeoutSeconds: connectTimeoutSeconds,
                                applicationName: "pgassist-run-locks")
    }

    private func drop(_ error: PostgresError, in state: inout State) {
        guard error.isConnectionError || state.connection?.isConnected == false else { return }
        state.connection = nil
        state.taken = []
    }

    /// One background check: takes again every wanted lock the connection does not hold. A new connection is
    /// made outside the lock, so `hold` and `release` on request threads never wait out a connect timeout here.
    private func check() {
        let needsConnection = state.withLock { state -> Bool in
            guard !state.wanted.isEmpty else { return false }
            state.checks += 1
            if state.connection?.probe() == false {
                state.connection = nil
                state.taken = []
            }
            return state.connection == nil
        }
        if needsConnection, let fresh = connect() { install(Handoff(connection: fresh)) }
        state.withLock { state in
            let lost = state.wanted.subtracting(state.taken)
            guard !lost.isEmpty else { return }
            // Without a connection, `take` would connect under the lock: leave that to the next check.
            let retaken = state.connection == nil ? [] : lost.filter { take($0, in: &state) }
            if retaken.count == lost.count {
                logger.notice("took run locks again after losing the store connection", metadata: ["runs": "\(retaken.count)"])
                state.lossReported = false
            } else if !state.lossReported {
                logger.warning("lost the store connection holding run locks; trying again every second",
                               metadata: ["runs": "\(lost.count - retaken.count)"])
                state.lossReported = true
            }
        }
    }

    /// A connection made on the checking thread, handed to the state whole: nothing else has seen it.
    private struct Handoff: @unchecked Sendable {
        let connection: PostgresConnection
    }

    /// Makes the handed-over connection the keeper's, unless a `hold` connected meanwhile.
    private func install(_ fresh: Handoff) {
        state.withLock { state in
            if state.connection == nil { state.connection = fresh.connection }
        }
    }

    private func startCheckingThread() {
        let started = try? NativeThread.start { [self] in
            while true {
                Sleep.milliseconds(Self.checkIntervalMilliseconds)
                check()
            }
        }
        if started == nil {
            state.withLock { $0.checking = false }
            logger.error("cannot start the run-lock check thread; locks lost to a store restart are not taken again")
        }
    }
}
