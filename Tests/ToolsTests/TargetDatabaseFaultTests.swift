import Foundation
import JSON
import Postgres
import QueryTools
import SchemaTools
import TestSupport
import Testing
import Tools
import ToolsCore
import TrashTools

/// The user's database failing under the tools: down, restarted, a connection killed mid-query, a
/// statement timeout. The model gets a tool error, the pool drops what broke and counts right, and
/// the next call works once the database is back, with nothing restarted on this side.
@Suite("Target database faults", .serialized)
struct TargetDatabaseFaultTests {
    /// A query the guard allows that runs for many seconds.
    private static let slowQuery = "SELECT count(*) FROM generate_series(1, 2000000000) AS g"

    private static func settings(statementTimeoutMilliseconds: Int = 15_000) -> ToolSettings {
        var settings = ToolSettings()
        settings.connectTimeoutSeconds = 2
        settings.statementTimeoutMilliseconds = statementTimeoutMilliseconds
        return settings
    }

    /// Calls `tool` through the registry, as the chat loop does, and returns what the model would read.
    private static func call(_ tool: String, _ arguments: String, url: String, pool: ConnectionPool,
                             settings: ToolSettings = settings()) throws -> JSONValue {
        // A fresh catalog cache each time: a cached answer would hide the database's state.
        let access = DatabaseAccess(connectionString: url, pool: pool, settings: settings, cache: SchemaCache())
        let context = ToolContext(settings: settings, database: access, userId: "tester")
        return try JSONValue.parse(ToolRegistry.standard.run(tool, arguments: arguments, context: context).rendered)
    }

    private static func count(url: String, pool: ConnectionPool) throws -> JSONValue {
        try call("run_sql", #"{"query": "SELECT count(*) AS n FROM items"}"#, url: url, pool: pool)
    }

    @Test("a stopped database answers db_unreachable quickly, the dead connection leaves the pool, and the next call after the restart works")
    func stoppedAndStarted() throws {
        let server = try PrivatePostgresServer()
        let url = try server.createDatabase(prefix: "target")
        try PostgresConnection(connectionString: url).execute("CREATE TABLE items (id int); INSERT INTO items VALUES (1), (2)")
        let pool = ConnectionPool()
        #expect(try Self.count(url: url, pool: pool)["rows"] == .array([.object(["n": .number(2)])]))
        #expect(pool.openConnections(to: url) == 1)
        #expect(pool.idleConnections(to: url) == 1)

        try server.stop()
        for (tool, arguments) in [("run_sql", #"{"query": "SELECT count(*) AS n FROM items"}"#), ("list_tables", "{}"),
                                  ("get_schema", #"{"table": "items"}"#)] {
            let start = Date()
            let answer = try Self.call(tool, arguments, url: url, pool: pool)
            #expect(answer["success"] == .bool(false), "\(tool)")
            #expect(answer["error"]?["code"] == .string("db_unreachable"), "\(tool): \(answer.serialized())")
            #expect(Date().timeIntervalSince(start) < 3, "\(tool) took \(Date().timeIntervalSince(start)) s")
            #expect(pool.openConnections(to: url) == 0, "\(tool)")
        }

        try server.start()
        let answer = try Self.count(url: url, pool: pool)
        #expect(answer["success"] == .bool(true), "\(answer.serialized())")
        #expect(pool.openConnections(to: url) == 1)
        #expect(pool.idleConnections(to: url) == 1)
    }

    @Test("a database restarted while the pool's connections sat idle: the very next call works and no connection is lost count of")
    func restartedWhileIdle() throws {
        let server = try PrivatePostgresServer()
        let url = try server.createDatabase(prefix: "target")
        try PostgresConnection(connectionString: url).execute("CREATE TABLE items (id int)")
        let pool = ConnectionPool(capacityPerDatabase: 3)
        // Three idle connections, all of which the restart kills.
        let leases = try (0..<3).map { _ in try pool.checkOut(url, connectTimeoutSeconds: 2) }
        for lease in leases { pool.checkIn(lease, reusable: true) }
        #expect(pool.openConnections(to: url) == 3)
        #expect(pool.idleConnections(to: url) == 3)
        try server.stop()
        try server.start()
        for _ in 0..<3 {
            let answer = try Self.count(url: url, pool: pool)
            #expect(answer["success"] == .bool(true), "\(answer.serialized())")
        }
        #expect(pool.openConnections(to: url) == 1)
        #expect(pool.idleConnections(to: url) == 1)
    }

    @Test("a connection killed with pg_terminate_backend mid-query: db_unreachable, the pool drops it, the next call works")
    func terminatedMidQuery() throws {
        let url = try PostgresServer.shared().createDatabase(prefix: "target")
        let admin = try PostgresConnection(connectionString: url)
        try admin.execute("CREATE TABLE items (id int); INSERT INTO items VALUES (1)")
        let pool = ConnectionPool()
        #expect(try Self.count(url: url, pool: pool)["success"] == .bool(true))
        let baseline = pool.openConnections(to: url)

        // run_sql reads a SELECT through a cursor: the statement running is its first FETCH.
        let slow = BackgroundTool { try Self.call("run_sql", #"{"query": "\#(Self.slowQuery)"}"#, url: url, pool: pool) }
        var pid: String?
        let running = try eventually(within: 10) {
            let result = try admin.query("""
                SELECT pid FROM pg_stat_activity
                WHERE application_name = 'pgassist-tools' AND datname = current_database() AND state = 'active'
                  AND query LIKE 'FETCH%'
                """)
            pid = result.count > 0 ? result.string(0, 0) : nil
            return pid != nil
        }
        #expect(running)
        let killed = try #require(pid)
        #expect(try admin.query("SELECT pg_terminate_backend($1::int)", [killed]).string(0, 0) == "t")
        let start = Date()
        let answer = try slow.wait()
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(answer["success"] == .bool(false))
        #expect(answer["error"]?["code"] == .string("db_unreachable"), "\(answer.serialized())")
        #expect(pool.openConnections(to: url) == 0)
        #expect(pool.idleConnections(to: url) == 0)

        let next = try Self.count(url: url, pool: pool)
        #expect(next["success"] == .bool(true), "\(next.serialized())")
        #expect(pool.openConnections(to: url) == baseline)
    }

    @Test("an idle pooled connection terminated by an administrator is replaced without a failed call")
    func terminatedWhileIdle() throws {
        let url = try PostgresServer.shared().createDatabase(prefix: "target")
        let admin = try PostgresConnection(connectionString: url)
        try admin.execute("CREATE TABLE items (id int)")
        let pool = ConnectionPool()
        #expect(try Self.count(url: url, pool: pool)["success"] == .bool(true))
        _ = try admin.query("""
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE application_name = 'pgassist-tools' AND datname = current_database()
            """)
        #expect(try eventually(within: 10) {
            try admin.query("""
                SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgassist-tools' AND datname = current_database()
                """).string(0, 0) == "0"
        })
        // A backend leaves pg_stat_activity a moment before its process (and socket) is gone.
        Thread.sleep(forTimeInterval: 0.2)
        let answer = try Self.count(url: url, pool: pool)
        #expect(answer["success"] == .bool(true), "\(answer.serialized())")
        #expect(pool.openConnections(to: url) == 1)
    }

    @Test("a statement timeout answers sql_timeout and keeps the healthy connection for the next call")
    func statementTimeout() throws {
        let url = try PostgresServer.shared().createDatabase(prefix: "target")
        try PostgresConnection(connectionString: url).execute("CREATE TABLE items (id int)")
        let pool = ConnectionPool()
        let start = Date()
        let answer = try Self.call("run_sql", #"{"query": "\#(Self.slowQuery)"}"#, url: url, pool: pool,
                                   settings: Self.settings(statementTimeoutMilliseconds: 300))
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(answer["error"]?["code"] == .string("sql_timeout"), "\(answer.serialized())")
        #expect(pool.openConnections(to: url) == 1)
        #expect(pool.idleConnections(to: url) == 1)
        #expect(try Self.count(url: url, pool: pool)["success"] == .bool(true))
        #expect(pool.openConnections(to: url) == 1)
    }

    @Test("the pool counts right: a failed connect, a lease dropped without check-in, a lease checked in twice")
    func poolAccounting() throws {
        let pool = ConnectionPool(capacityPerDatabase: 2)
        let closed = "postgresql://postgres@127.0.0.1:\(try freeTCPPort())/nothing"
        for _ in 0..<3 {
            #expect(throws: PostgresError.self) { _ = try pool.checkOut(closed, connectTimeoutSeconds: 2) }
        }
        #expect(pool.openConnections(to: closed) == 0)

        let url = try PostgresServer.shared().createDatabase(prefix: "target")
        do {
            let dropped = try pool.checkOut(url, connectTimeoutSeconds: 2)
            #expect(pool.openConnections(to: url) == 1)
            _ = dropped
        }
        #expect(pool.openConnections(to: url) == 0)

        let lease = try pool.checkOut(url, connectTimeoutSeconds: 2)
        pool.checkIn(lease, reusable: true)
        pool.checkIn(lease, reusable: true)
        #expect(pool.openConnections(to: url) == 1)
        #expect(pool.idleConnections(to: url) == 1)
        // The cap still holds after all that: two leases, and a third waits and gives up.
        let first = try pool.checkOut(url, connectTimeoutSeconds: 2)
        let second = try pool.checkOut(url, connectTimeoutSeconds: 2)
        #expect(first.isReused)
        #expect(!second.isReused)
        #expect(throws: PostgresError.self) { _ = try pool.checkOut(url, connectTimeoutSeconds: 1) }
        pool.checkIn(first, reusable: false)
        pool.checkIn(second, reusable: true)
        #expect(pool.openConnections(to: url) == 1)
    }
}

/// Runs a tool call on its own thread; `wait()` returns its answer.
private final class BackgroundTool: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<JSONValue, any Error> = .failure(TestSupportError("not run"))

    init(_ body: @escaping @Sendable () throws -> JSONValue) {
        Thread { [self] in
            result = Result { try body() }
            done.signal()
        }.start()
    }

    func wait() throws -> JSONValue {
        done.wait()
        return try result.get()
    }
}
