import AssistantHTTP
import ChatEngine
import Foundation
import Logging
import Operations
import Policies
import Postgres
import Store
import TestSupport
import Testing

/// Run locks on a PostgreSQL store: held by the driving process on a connection of their own, seen by
/// other hosts through `runLockIsFree`, and taken again after the store restarts.
@Suite("Run locks")
struct RunLockKeeperTests {
    @Test("a run's lock is held while its process drives it, freed on release, and taken again when its connection dies")
    func holdReleaseRetake() throws {
        let url = try PostgresServer.shared().createDatabase(prefix: "runlock")
        let observer = SQLThreadStore(database: PostgresDatabase(connectionString: url))
        let admin = try PostgresConnection(connectionString: url)
        try Self.waitPastRetakeWindow(admin)
        let keeper = RunLockKeeper(connectionString: url, logger: Logger(label: "test"))

        #expect(keeper.hold(runId: "run_a"))
        #expect(try observer.runLockIsFree(runId: "run_a") == false)
        #expect(try observer.runLockIsFree(runId: "run_a") == false, "checking does not take it over")
        #expect(try observer.runLockIsFree(runId: "run_b") == true)
        keeper.release(runId: "run_a")
        #expect(try observer.runLockIsFree(runId: "run_a") == true)

        // The keeper's connection dies (an administrator, a network cut): the lock is free until the keeper's
        // background check takes it again.
        #expect(keeper.hold(runId: "run_a"))
        let pid = try #require(try admin.query("""
            SELECT pid FROM pg_stat_activity WHERE application_name = 'pgassist-run-locks' AND datname = current_database()
            """).string(0, 0))
        _ = try admin.query("SELECT pg_terminate_backend($1::int)", [pid])
        #expect(try eventually(within: 10) { try observer.runLockIsFree(runId: "run_a") == false && keeper.holds(runId: "run_a") },
                "the lock is held again")
        // The terminated backend leaves pg_locks when it has finished exiting, which a loaded machine delays.
        #expect(try eventually(within: 10) { try Self.lockHolders(admin).count == 1 }, "one holder: the keeper's new connection")
        keeper.release(runId: "run_a")
        #expect(try Self.lockHolders(admin).isEmpty)
    }

    @Test("after a store restart a free lock proves nothing until the drivers had time to take theirs again")
    func storeRestart() throws {
        let server = try PrivatePostgresServer()
        defer { server.release() }
        let url = try server.createDatabase(prefix: "runlock")
        let observer = SQLThreadStore(database: PostgresDatabase(connectionString: url, connectTimeoutSeconds: 2))
        let keeper = RunLockKeeper(connectionString: url, connectTimeoutSeconds: 2, logger: Logger(label: "test"))
        #expect(keeper.hold(runId: "run_kept"))
        try server.restart()

        #expect(try observer.runLockIsFree(runId: "run_released") == nil, "just restarted: cannot tell")
        let admin = try PostgresConnection(connectionString: url)
        #expect(try eventually(within: 10) { try Self.lockHolders(admin).count == 1 }, "the keeper took its lock again")
        #expect(keeper.holds(runId: "run_kept"))
        try Self.waitPastRetakeWindow(admin)
        #expect(try observer.runLockIsFree(runId: "run_kept") == false)
        #expect(try observer.runLockIsFree(runId: "run_released") == true)
    }

    @Test("while a lock is held the background check runs about once a second, not in a loop")
    func checkCadence() throws {
        let url = try PostgresServer.shared().createDatabase(prefix: "runlock")
        let keeper = RunLockKeeper(connectionString: url, logger: Logger(label: "test"))
        #expect(keeper.hold(runId: "run_cadence"))
        Thread.sleep(forTimeInterval: 3.5)
        let checks = keeper.checkCount
        keeper.release(runId: "run_cadence")
        #expect((1...6).contains(checks), "\(checks) checks in 3.5 s")
    }

    @Test("SQLite leaves the question to the worker's pid")
    func sqlite() throws {
        #expect(try StoreFixture(.sqlite).open().runLockIsFree(runId: "run_x") == nil)
    }

    // MARK: Helpers

    /// The pids of sessions holding run locks in this database.
    private static func lockHolders(_ admin: PostgresConnection) throws -> [String] {
        try admin.query("""
            SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'pgassist-run-locks'
              AND a.datname = current_database()
            """).rows.compactMap { $0[0] }
    }

    /// Waits until the server has run longer than `RunLockKeeper.retakeWindowMilliseconds`.
    private static func waitPastRetakeWindow(_ admin: PostgresConnection) throws {
        let uptime = try admin.query("SELECT extract(epoch FROM clock_timestamp() - pg_postmaster_start_time()) * 1000")
            .string(0, 0).flatMap(Double.init) ?? 0
        let remaining = Double(RunLockKeeper.retakeWindowMilliseconds) - uptime
        if remaining > 0 { Thread.sleep(forTimeInterval: remaining / 1_000 + 0.2) }
    }
}
