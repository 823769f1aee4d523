import AssistantHTTP
import ChatEngine
import Foundation
import HTTP
import Logging
import Operations
import Policies
import Postgres
import Store
import TestSupport
import Testing

/// The store under faults: SQLite writers contending for one file, and a PostgreSQL store that goes
/// away, comes back, or loses its connection in the middle of a transaction.
@Suite("Store faults", .serialized)
struct StoreFaultTests {
    // MARK: SQLite

    @Test("8 connections × 200 appends to one SQLite thread while other processes write: no error, each message once, consecutive seq")
    func sqliteHammer() throws {
        let directory = try TemporaryDirectory(prefix: "pgassist-busy")
        let path = directory.file("var/threads.db")
        // Every connection opens the brand-new file at once: switching it to WAL and migrating race too.
        let threadIds = try concurrently(8) { _ in
            try SQLThreadStore(location: .sqlite(path: path)).currentOrNewThread(userId: "hammer", projectRef: nil).id
        }
        #expect(Set(threadIds).count == 1)
        let writers = try OtherProcessWriters(path: path, count: 2, directory: directory)
        defer { writers.stop() }
        _ = try concurrently(8) { worker in
            let store = try SQLThreadStore(location: .sqlite(path: path))
            for index in 0..<200 {
                _ = try store.appendMessage(threadId: threadIds[0], NewMessage(role: "user", content: "\(worker)-\(index)"))
            }
        }
        let transactions = writers.stop()
        #expect(transactions > 0, "the other processes never got the write lock")
        let store = try SQLThreadStore(location: .sqlite(path: path))
        let page = try store.messages(threadId: threadIds[0], limit: 2_000, before: nil)
        #expect(page.messages.map(\.seq) == Array(1...1_600))
        let contents = page.messages.compactMap(\.content)
        #expect(contents.count == 1_600)
        #expect(Set(contents) == Set((0..<8).flatMap { worker in (0..<200).map { "\(worker)-\($0)" } }))
        #expect(try store.currentThread(userId: "hammer")?.messageCount == 1_600)
    }

    @Test("a writer that holds the SQLite lock for less than the busy timeout only delays an append")
    func sqliteShortLock() throws {
        let directory = try TemporaryDirectory(prefix: "pgassist-busy")
        let path = directory.file("threads.db")
        let store = try SQLThreadStore(location: .sqlite(path: path), busyTimeoutMilliseconds: 5_000)
        let thread = try store.currentOrNewThread(userId: "wait", projectRef: nil)
        let holder = try LockHolder(path: path)
        holder.release(after: 0.8)
        let start = Date()
        let message = try store.appendMessage(threadId: thread.id, NewMessage(role: "user", content: "after the lock"))
        #expect(Date().timeIntervalSince(start) >= 0.7)
        #expect(message.seq == 1)
        holder.wait()
    }

    @Test("past the busy timeout an SQLite write fails with busy, in about that time, and the API answers 503 store_busy")
    func sqliteBusyTimeout() throws {
        let directory = try TemporaryDirectory(prefix: "pgassist-busy")
        let path = directory.file("threads.db")
        let store = try SQLThreadStore(location: .sqlite(path: path), busyTimeoutMilliseconds: 400)
        let thread = try store.currentOrNewThread(userId: "late", projectRef: nil)
        let holder = try LockHolder(path: path)
        defer { holder.release(after: 0); holder.wait() }

        let start = Date()
        let error = #expect(throws: StoreError.self) {
            try store.appendMessage(threadId: thread.id, NewMessage(role: "user", content: "blocked"))
        }
        let elapsed = Date().timeIntervalSince(start)
        #expect(error?.code == .busy)
        #expect(elapsed >= 0.35 && elapsed < 2, "waited \(elapsed) s for a 400 ms busy timeout")

        // A new user's first GET /thread creates the thread: a write.
        let api = AssistantAPI(tools: .standard, store: store, configuration: AssistantConfiguration(), logger: Logger(label: "test"))
        let response = api.respond(to: HTTPRequest(method: "GET", path: "/api/ai/assistant/thread", query: ["userId": "newcomer"]))
        #expect(response.status == 503)
        #expect(response.header("Retry-After") != nil)
        #expect(try JSONValue.parse(response.body)["code"] == .string("store_busy"))
    }

    @Test("an SQLite transaction that fails busy at once (stale snapshot, COMMIT) runs again from the start, rolled back in between")
    func sqliteTransactionRetried() throws {
        let directory = try TemporaryDirectory(prefix: "pgassist-busy")
        let database = try SQLiteDatabase(path: directory.file("retry.db"), busyTimeoutMilliseconds: 2_000)
        try database.script("CREATE TABLE attempts (n INTEGER)")
        var runs = 0
        let value = try database.transaction { () throws(StoreError) -> Int in
            runs += 1
            try database.run("INSERT INTO attempts (n) VALUES ($1)", [.integer(Int64(runs))])
            // What a statement reports when SQLite answers SQLITE_BUSY_SNAPSHOT without its busy handler.
            if runs < 4 { throw StoreError(.busy, "SQLITE_BUSY_SNAPSHOT (simulated)") }
            return runs
        }
        #expect(value == 4)
        #expect(try database.rows("SELECT n FROM attempts", []).map { $0[0].integer } == [4])

        let start = Date()
        let error = #expect(throws: StoreError.self) {
            try database.transaction { () throws(StoreError) in throw StoreError(.busy, "always busy") }
        }
        #expect(error?.code == .busy)
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed >= 1.9 && elapsed < 4, "gave up after \(elapsed) s for a 2000 ms busy timeout")

        // Any other failure is not retried.
        runs = 0
        #expect(throws: StoreError.self) {
            try database.transaction { () throws(StoreError) in
                runs += 1
                throw StoreError(.failed, "a bug")
            }
        }
        #expect(runs == 1)
    }

    // MARK: PostgreSQL

    @Test("a stopped PostgreSQL store answers unavailable quickly, and the same store works again once the server is back")
    func postgresStoppedAndStarted() throws {
        let server = try PrivatePostgresServer()
        let url = try server.createDatabase(prefix: "storefault")
        let store = SQLThreadStore(database: PostgresDatabase(connectionString: url, connectTimeoutSeconds: 2))
        let api = AssistantAPI(tools: .standard, store: store, configuration: AssistantConfiguration(), logger: Logger(label: "test"))
        let thread = try store.currentOrNewThread(userId: "pat", projectRef: nil)
        _ = try store.appendMessage(threadId: thread.id, NewMessage(role: "user", content: "before"))

        try server.stop()
        let operations: [(String, () throws(StoreError) -> Void)] = [
            ("currentThread", { () throws(StoreError) in _ = try store.currentThread(userId: "pat") }),
            ("appendMessage", { () throws(StoreError) in
                _ = try store.appendMessage(threadId: thread.id, NewMessage(role: "user", content: "while down")) }),
            ("startRun", { () throws(StoreError) in _ = try store.startRun(Self.newRun(thread), userMessage: "while down") }),
            ("ping", { () throws(StoreError) in try store.ping() }),
        ]
        for (name, operation) in operations {
            let start = Date()
            let error = #expect(throws: StoreError.self, "\(name)") { try operation() }
            #expect(error?.code == .unavailable, "\(name)")
            #expect(Date().timeIntervalSince(start) < 2.5, "\(name) took \(Date().timeIntervalSince(start)) s")
        }
        let down = api.respond(to: HTTPRequest(method: "GET", path: "/api/ai/assistant/thread", query: ["userId": "pat"]))
        #expect(down.status == 503)
        #expect(down.header("Retry-After") != nil)
        #expect(try JSONValue.parse(down.body)["code"] == .string("store_unavailable"))

        try server.start()
        // The first call after the restart already succeeds: nothing was restarted on this side.
        let after = try store.appendMessage(threadId: thread.id, NewMessage(role: "user", content: "after"))
        #expect(after.seq == 2)
        let up = api.respond(to: HTTPRequest(method: "GET", path: "/api/ai/assistant/thread", query: ["userId": "pat"]))
        #expect(up.status == 200)
        let page = try store.messages(threadId: thread.id, limit: 10, before: nil)
        #expect(page.messages.compactMap(\.content) == ["before", "after"])
    }

    @Test("a PostgreSQL store restarted while its connection sat idle: the next call reconnects and succeeds")
    func postgresRestartedWhileIdle() throws {
        let server = try PrivatePostgresServer()
        let url = try server.createDatabase(prefix: "storefault")
        let store = SQLThreadStore(database: PostgresDatabase(connectionString: url, connectTimeoutSeconds: 2))
        let thread = try store.currentOrNewThread(userId: "quinn", projectRef: nil)
        try server.stop()
        try server.start()
        #expect(try store.currentThread(userId: "quinn")?.id == thread.id)
        #expect(try store.appendMessage(threadId: thread.id, NewMessage(role: "user", content: "hi")).seq == 1)
    }

    @Test("startRun whose connection is terminated mid-transaction leaves neither the run nor the message, and the store goes on")
    func postgresTerminatedInStartRun() throws {
        let url = try PostgresServer.shared().createDatabase(prefix: "storefault")
        let store = SQLThreadStore(database: PostgresDatabase(connectionString: url, connectTimeoutSeconds: 2))
        let thread = try store.currentOrNewThread(userId: "rosa", projectRef: nil)
        let admin = try PostgresConnection(connectionString: url)
        // The message insert waits for a lock the test holds, so the run row is written but not committed.
        try admin.execute("""
            CREATE FUNCTION stall_message() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.content = 'stall' THEN PERFORM pg_advisory_xact_lock(4242); END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER stall_message BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION stall_message();
            SELECT pg_advisory_lock(4242);
            """)
        let outcome = BackgroundCall { () throws -> Void in _ = try store.startRun(Self.newRun(thread), userMessage: "stall") }
        let pid = try Self.waitForStoreBackend(admin, waitingOnLock: true)
        #expect(try admin.query("SELECT pg_terminate_backend($1)", ["\(pid)"]).string(0, 0) == "t")
        let error = outcome.wait()
        #expect((error as? StoreError)?.code == .unavailable, "\(String(describing: error))")
        _ = try admin.query("SELECT pg_advisory_unlock(4242)")

        #expect(try admin.query("SELECT count(*) FROM runs").string(0, 0) == "0")
        #expect(try admin.query("SELECT count(*) FROM messages").string(0, 0) == "0")
        #expect(try admin.query("SELECT message_count FROM threads").string(0, 0) == "0")
        // The same store reconnects by itself.
        let started = try #require(try store.startRun(Self.newRun(thread), userMessage: "again"))
        #expect(started.message?.seq == 1)
        #expect(try admin.query("SELECT count(*) FROM runs").string(0, 0) == "1")
    }

    @Test("a transaction whose connection dies between two statements fails unavailable and is not finished on a new connection")
    func postgresTerminatedBetweenStatements() throws {
        let url = try PostgresServer.shared().createDatabase(prefix: "storefault")
        let database = PostgresDatabase(connectionString: url, connectTimeoutSeconds: 2)
        try database.script("CREATE TABLE halves (part TEXT)")
        let admin = try PostgresConnection(connectionString: url)
        let error = #expect(throws: StoreError.self) {
            try database.transaction { () throws(StoreError) in
                try database.run("INSERT INTO halves VALUES ('first')", [])
                let pid = try database.rows("SELECT pg_backend_pid()", []).first?.first?.text ?? ""
                do {
                    _ = try admin.query("SELECT pg_terminate_backend($1)", [pid])
                    _ = try Self.waitUntilGone(admin, pid: pid)
                } catch {
                    Issue.record(error)
                }
                try database.run("INSERT INTO halves VALUES ('second')", [])
            }
        }
        #expect(error?.code == .unavailable)
        #expect(try admin.query("SELECT count(*) FROM halves").string(0, 0) == "0")
        try database.run("INSERT INTO halves VALUES ('later')", [])
        #expect(try admin.query("SELECT part FROM halves").string(0, 0) == "later")
    }

    @Test("a store connection lost while idle is replaced silently")
    func postgresLostIdleConnection() throws {
        let url = try PostgresServer.shared().createDatabase(prefix: "storefault")
        let store = SQLThreadStore(database: PostgresDatabase(connectionString: url, connectTimeoutSeconds: 2))
        let admin = try PostgresConnection(connectionString: url)
        let thread = try store.currentOrNewThread(userId: "sam", projectRef: nil)
        let run = try #require(try store.startRun(Self.newRun(thread), userMessage: "hello")).run

        try Self.terminateStoreBackend(admin, applicationBackends: 1)
        #expect(try store.currentThread(userId: "sam")?.id == thread.id)
        try Self.terminateStoreBackend(admin, applicationBackends: 1)
        _ = try store.appendRunMessage(threadId: thread.id, NewMessage(role: "assistant", content: "still here", runId: run.id))
        #expect(try store.currentThread(userId: "sam")?.messageCount == 2)
    }

    // MARK: Helpers

    /// Terminates the backend of `store`'s connection (the one of the `applicationBackends` store
    /// backends in this database that is not the newest, when there are two) and waits until it is gone.
    private static func terminateStoreBackend(_ admin: PostgresConnection, applicationBackends: Int) throws {
        let pids = try admin.query("""
            SELECT pid FROM pg_stat_activity WHERE application_name = 'pgassist-store' AND datname = current_database()
            ORDER BY backend_start
            """)
        guard pids.count == applicationBackends, let pid = pids.string(0, 0) else {
            throw TestSupportError("expected \(applicationBackends) store backends, found \(pids.count)")
        }
        _ = try admin.query("SELECT pg_terminate_backend($1::int)", [pid])
        guard try waitUntilGone(admin, pid: pid) else { throw TestSupportError("backend \(pid) did not exit") }
    }

    private static func newRun(_ thread: ThreadRecord) -> NewRun {
        NewRun(threadId: thread.id, userId: thread.userId, projectRef: nil, worker: "test", assistantVersion: nil,
               model: "m", deadlineAt: Int64(Date().timeIntervalSince1970 * 1_000) + 60_000)
    }

    /// The pid of the store's backend in this database, once it is (or, with `waitingOnLock`, waits) there.
    private static func waitForStoreBackend(_ admin: PostgresConnection, waitingOnLock: Bool) throws -> Int {
        var pid: Int?
        let found = try eventually(within: 10) {
            let result = try admin.query("""
                SELECT pid FROM pg_stat_activity
                WHERE application_name = 'pgassist-store' AND datname = current_database()
                  AND ($1::bool IS FALSE OR wait_event_type = 'Lock')
                """, [waitingOnLock ? "true" : "false"])
            pid = result.count > 0 ? result.string(0, 0).flatMap { Int($0) } : nil
            return pid != nil
        }
        guard found, let pid else { throw TestSupportError("the store's backend never showed up") }
        return pid
    }

    /// Waits until the backend `pid` has exited.
    private static func waitUntilGone(_ admin: PostgresConnection, pid: String) throws -> Bool {
        let gone = try eventually(within: 10) {
            try admin.query("SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int", [pid]).string(0, 0) == "0"
        }
        // A backend leaves pg_stat_activity a moment before its process (and socket) is gone.
        Thread.sleep(forTimeInterval: 0.2)
        return gone
    }
}

/// Runs a call on its own thread; `wait()` returns the error it threw, if any.
private final class BackgroundCall: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var error: (any Error)?

    init(_ body: @escaping () throws -> Void) {
        let box = UncheckedBox(body)
        Thread { [self] in
            do { try box.value() } catch { self.error = error }
            done.signal()
        }.start()
    }

    func wait() -> (any Error)? {
        done.wait()
        return error
    }
}

private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Another connection to an SQLite file that takes the write lock (BEGIN IMMEDIATE) and gives it up later.
private final class LockHolder: @unchecked Sendable {
    private let database: SQLiteDatabase
    private let released = DispatchSemaphore(value: 0)
    private var releasing = false

    init(path: String) throws {
        database = try SQLiteDatabase(path: path)
        try database.script("BEGIN IMMEDIATE")
    }

    /// Commits on another thread after `seconds` (once).
    func release(after seconds: Double) {
        guard !releasing else { return }
        releasing = true
        let database = UncheckedBox(database)
        Thread { [released] in
            Thread.sleep(forTimeInterval: seconds)
            try? database.value.script("COMMIT")
            released.signal()
        }.start()
    }

    func wait() { released.wait() }
}

/// Python processes that write to the same SQLite file in short transactions, holding the write
/// lock a few milliseconds each time, until stopped: lock contention across processes.
private final class OtherProcessWriters: @unchecked Sendable {
    private let processes: [Process]
    private let stopFile: String
    private let countFiles: [String]
    private var stopped = false

    init(path: String, count: Int, directory: TemporaryDirectory) throws {
        stopFile = directory.file("stop-writers")
        countFiles = (0..<count).map { directory.file("writer-\($0).count") }
        let script = """
            import os, sqlite3, sys, time
            path, stop, out = sys.argv[1:4]
            db = sqlite3.connect(path, timeout=30, isolation_level=None)
            done = 0
            deadline = time.time() + 120
            while not os.path.exists(stop) and time.time() < deadline:
                try:
                    db.execute("BEGIN IMMEDIATE")
                    db.execute("CREATE TABLE IF NOT EXISTS other_writers (n INTEGER)")
                    db.execute("INSERT INTO other_writers VALUES (?)", (done,))
                    time.sleep(0.003)
                    db.execute("COMMIT")
                except sqlite3.OperationalError:
                    # SQLite's own busy handler (Python's) can lose to the store's faster one: try again.
                    if db.in_transaction: db.execute("ROLLBACK")
                    continue
                done += 1
                if done == 1: open(out + ".ready", "w").close()
                time.sleep(0.002)
            open(out, "w").write(str(done))
            """
        processes = try countFiles.map { countFile in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", script, path, directory.file("stop-writers"), countFile]
            try process.run()
            return process
        }
        // Each has committed once: they are writing when the appends start.
        let ready = eventually(within: 30) {
            countFiles.allSatisfy { FileManager.default.fileExists(atPath: $0 + ".ready") }
        }
        guard ready else {
            stop()
            throw TestSupportError("the other SQLite writers did not start")
        }
    }

    /// Stops the writers (once) and returns how many transactions they committed together.
    @discardableResult
    func stop() -> Int {
        if !stopped {
            stopped = true
            _ = FileManager.default.createFile(atPath: stopFile, contents: Data())
            for process in processes { process.waitUntilExit() }
        }
        return countFiles.reduce(0) { total, file in
            total + ((try? String(contentsOfFile: file, encoding: .utf8)).flatMap { Int($0) } ?? 0)
        }
    }
}
