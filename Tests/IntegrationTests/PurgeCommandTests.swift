import Foundation
import JSON
import Postgres
import SQLite
import TestSupport
import Testing

/// `pgassist purge`, as operators run it: the built binary on a store migrated by `pgassist migrate` and
/// filled with rows as the workers would write them, and on users' databases with trashed tables.
@Suite("pgassist purge")
struct PurgeCommandTests {
    /// A migrated thread store (SQLite file or PostgreSQL database) the test reads and writes directly.
    private final class Store: @unchecked Sendable {
        let url: String
        private let directory: TemporaryDirectory?
        private let sqlite: SQLiteConnection?
        private let postgres: PostgresConnection?

        init(_ kind: String) throws {
            if kind == "postgres" {
                directory = nil
                url = try PostgresServer.shared().createDatabase(prefix: "purgestore")
            } else {
                let directory = try TemporaryDirectory(prefix: "pgassist-purge")
                self.directory = directory
                url = "sqlite://\(directory.file("store.db"))"
            }
            let migrated = try Command.run([TestEnvironment.pgassistBinary, "migrate"],
                                           environment: ["PATH": "/usr/bin:/bin", "THREAD_STORE_URL": url, "LOG_LEVEL": "error"])
            guard migrated.status == 0 else { throw TestSupportError("pgassist migrate failed: \(migrated.errorOutput)") }
            if let directory {
                sqlite = try SQLiteConnection(path: directory.file("store.db"))
                postgres = nil
            } else {
                sqlite = nil
                postgres = try PostgresConnection(connectionString: url)
            }
        }

        deinit { directory?.remove() }

        func execute(_ sql: String) throws {
            if let sqlite { try sqlite.execute(sql) } else { try postgres?.execute(sql) }
        }

        func count(_ sql: String) throws -> Int {
            if let sqlite { return Int(try sqlite.query(sql).first?.int(0) ?? -1) }
            return Int(try postgres?.query(sql).int(0, 0) ?? -1)
        }

        func purge(_ arguments: [String]) throws -> Command.Result {
            try Command.run([TestEnvironment.pgassistBinary, "purge"] + arguments,
                            environment: ["PATH": "/usr/bin:/bin", "THREAD_STORE_URL": url])
        }
    }

    private static let minute: Int64 = 60_000

    /// Rows as workers leave them: `gone`'s thread deleted two hours ago (five messages, two runs, one waiting
    /// for an approval, idempotency keys from before and after the deletion), `recent`'s deleted ten minutes
    /// ago, `live`'s current thread, and audit events two hours and ten minutes old.
    private func fill(_ store: Store, now: Int64) throws {
        let twoHours = now - 120 * Self.minute, tenMinutes = now - 10 * Self.minute
        try store.execute("""
            INSERT INTO threads (id, user_id, project_ref, message_count, created_at, updated_at, deleted_at) VALUES
              ('thread_gone', 'gone', 'p', 5, \(twoHours - 60 * Self.minute), \(twoHours), \(twoHours)),
              ('thread_recent', 'recent', 'p', 1, \(tenMinutes - Self.minute), \(tenMinutes), \(tenMinutes)),
              ('thread_live', 'live', 'p', 1, \(twoHours), \(twoHours), NULL);
            INSERT INTO messages (thread_id, seq, id, role, content, created_at) VALUES
              ('thread_gone', 1, 'msg_g1', 'user', 'a', \(twoHours - 50 * Self.minute)),
              ('thread_gone', 2, 'msg_g2', 'assistant', 'b', \(twoHours - 49 * Self.minute)),
              ('thread_gone', 3, 'msg_g3', 'user', 'c', \(twoHours - 48 * Self.minute)),
              ('thread_gone', 4, 'msg_g4', 'assistant', 'd', \(twoHours - 47 * Self.minute)),
              ('thread_gone', 5, 'msg_g5', 'user', 'e', \(twoHours - 46 * Self.minute)),
              ('thread_recent', 1, 'msg_r1', 'user', 'kept', \(tenMinutes - Self.minute)),
              ('thread_live', 1, 'msg_l1', 'user', 'kept', \(twoHours));
            INSERT INTO runs (id, thread_id, status, created_at, pending_action_id) VALUES
              ('run_g1', 'thread_gone', 'completed', \(twoHours - 50 * Self.minute), NULL),
              ('run_g2', 'thread_gone', 'expired', \(twoHours - 48 * Self.minute), 'act_gone'),
              ('run_r1', 'thread_recent', 'completed', \(tenMinutes - Self.minute), NULL);
            INSERT INTO pending_actions (id, user_id, tool, arguments, impact, created_at, expires_at) VALUES
              ('act_gone', 'gone', 'drop_table', '{}', '{}', \(twoHours - 48 * Self.minute), \(now + 60 * Self.minute)),
              ('act_live', 'live', 'drop_table', '{}', '{}', \(now), \(now + 10 * Self.minute));
            INSERT INTO idempotency_keys (user_id, key, request_hash, status, response_status, response_body, created_at) VALUES
              ('gone', 'before-delete', 'h', 'done', 200, '{}', \(twoHours - 46 * Self.minute)),
              ('gone', 'after-delete', 'h', 'done', 200, '{}', \(tenMinutes)),
              ('live', 'day-old', 'h', 'done', 200, '{}', \(now - 25 * 60 * Self.minute));
            INSERT INTO audit_events (id, created_at, user_id, kind) VALUES
              ('audit_old', \(twoHours), 'gone', 'tool'),
              ('audit_new', \(tenMinutes), 'live', 'tool');
            """)
    }

    @Test("threads deleted before the cutoff go with their messages, runs, approvals and keys; --dry-run only counts",
          arguments: ["sqlite", "postgres"])
    func purgeThreads(kind: String) throws {
        let store = try Store(kind)
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        try fill(store, now: now)

        let dry = try store.purge(["--older-than", "1h", "--dry-run", "--audit", "--json"])
        #expect(dry.status == 0, "\(dry.errorOutput)")
        let counted = try JSONValue.parse(dry.output)
        #expect(counted["dryRun"] == .bool(true))
        #expect(counted["threads"]?.intValue == 1)
        #expect(counted["messages"]?.intValue == 5)
        #expect(counted["runs"]?.intValue == 2)
        #expect(counted["pendingActions"]?.intValue == 1)
        #expect(counted["idempotencyKeys"]?.intValue == 2, "the key from before the deletion and the day-old one")
        #expect(counted["auditEvents"]?.intValue == 1)
        #expect(try store.count("SELECT COUNT(*) FROM messages") == 7, "a dry run deletes nothing")
        #expect(try store.count("SELECT COUNT(*) FROM audit_events") == 2)

        let done = try store.purge(["--older-than", "1h", "--audit", "--batch-size", "2", "--json"])
        #expect(done.status == 0, "\(done.errorOutput)")
        let deleted = try JSONValue.parse(done.output)
        for field in ["threads", "messages", "runs", "pendingActions", "idempotencyKeys", "auditEvents"] {
            #expect(deleted[field] == counted[field], "\(field): \(done.output) vs \(dry.output)")
        }
        #expect(try store.count("SELECT COUNT(*) FROM threads WHERE id = 'thread_gone'") == 0)
        #expect(try store.count("SELECT COUNT(*) FROM messages WHERE thread_id = 'thread_gone'") == 0)
        #expect(try store.count("SELECT COUNT(*) FROM runs WHERE thread_id = 'thread_gone'") == 0)
        #expect(try store.count("SELECT COUNT(*) FROM pending_actions WHERE id = 'act_gone'") == 0)
        #expect(try store.count("SELECT COUNT(*) FROM idempotency_keys WHERE key IN ('before-delete', 'day-old')") == 0)
        // What is newer than the cutoff, or not deleted, stays.
        #expect(try store.count("SELECT COUNT(*) FROM threads") == 2)
        #expect(try store.count("SELECT COUNT(*) FROM messages") == 2)
        #expect(try store.count("SELECT COUNT(*) FROM runs") == 1)
        #expect(try store.count("SELECT COUNT(*) FROM pending_actions WHERE id = 'act_live'") == 1)
        #expect(try store.count("SELECT COUNT(*) FROM idempotency_keys WHERE key = 'after-delete'") == 1)
        #expect(try store.count("SELECT COUNT(*) FROM audit_events WHERE id = 'audit_new'") == 1)

        let again = try store.purge(["--older-than", "1h"])
        #expect(again.status == 0)
        #expect(again.output.contains("threads"), "\(again.output)")
        #expect(try store.count("SELECT COUNT(*) FROM audit_events") == 1, "audit events stay without --audit")
    }

    @Test("a purge without --audit keeps audit events; the table output names every count")
    func humanOutput() throws {
        let store = try Store("sqlite")
        try fill(store, now: Int64(Date().timeIntervalSince1970 * 1_000))
        let result = try store.purge(["--older-than", "90m"])
        #expect(result.status == 0, "\(result.errorOutput)")
        for line in ["threads", "messages", "runs", "pending actions", "idempotency keys"] {
            #expect(result.output.contains(line), "\(result.output)")
        }
        #expect(!result.output.contains("audit events"))
        #expect(try store.count("SELECT COUNT(*) FROM audit_events") == 2)
    }

    @Test("bad usage exits 2; a store that is not there is not created")
    func usage() throws {
        let directory = try TemporaryDirectory(prefix: "pgassist-purge-usage")
        defer { directory.remove() }
        let environment = ["PATH": "/usr/bin:/bin", "THREAD_STORE_URL": "sqlite://\(directory.file("missing.db"))"]
        for arguments in [[], ["--older-than", "2026-01-01"], ["--older-than", "30"], ["--older-than", "d"],
                          ["--older-than", "30d", "--batch-size", "0"]] {
            let result = try Command.run([TestEnvironment.pgassistBinary, "purge"] + arguments, environment: environment)
            #expect(result.status == 2, "\(arguments): \(result.errorOutput)")
        }
        let missing = try Command.run([TestEnvironment.pgassistBinary, "purge", "--older-than", "30d"], environment: environment)
        #expect(missing.status == 1)
        #expect(missing.errorOutput.contains("no thread store"), "\(missing.errorOutput)")
        #expect(!FileManager.default.fileExists(atPath: directory.file("missing.db")))
    }

    @Test("--trash-db drops tables trashed before the cutoff and their log rows, and keeps newer ones; --dry-run lists them")
    func trash() throws {
        let store = try Store("sqlite")
        let database = try FixtureDatabase.create(prefix: "purgetrash")
        let suffix = UInt32.random(in: 0..<UInt32.max)
        let oldTable = "purge_old_\(suffix)", newTable = "purge_new_\(suffix)"
        for table in [oldTable, newTable] { try trashTable(table, database: database, store: store.url) }
        let connection = try PostgresConnection(connectionString: database)
        _ = try connection.query("""
            UPDATE pgassist_trash.trash_log SET trashed_at = now() - interval '40 days' WHERE original_name = $1
            """, [oldTable])
        func trashed() throws -> [String] {
            let result = try connection.query("""
                SELECT l.original_name FROM pgassist_trash.trash_log l
                JOIN pg_catalog.pg_class c ON c.relname = l.trashed_name
                JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'pgassist_trash'
                ORDER BY 1
                """)
            return (0..<result.count).compactMap { result.string($0, 0) }
        }
        #expect(try trashed() == [newTable, oldTable].sorted())

        let dry = try store.purge(["--older-than", "30d", "--trash-db", database, "--dry-run", "--json"])
        #expect(dry.status == 0, "\(dry.errorOutput)\(dry.output)")
        let listed = try JSONValue.parse(dry.output)["trash"]?.arrayValue?.first?["dropped"]?.arrayValue ?? []
        #expect(listed.compactMap { $0["table"]?.stringValue } == [oldTable])
        #expect(try trashed().count == 2, "a dry run drops nothing")

        let done = try store.purge(["--older-than", "30d", "--trash-db", database])
        #expect(done.status == 0, "\(done.errorOutput)\(done.output)")
        #expect(done.output.contains("dropped public.\(oldTable)"), "\(done.output)")
        #expect(!done.output.contains(database), "connection strings are never printed")
        #expect(try trashed() == [newTable])
        #expect(try connection.query("SELECT count(*) FROM pgassist_trash.trash_log WHERE original_name = $1",
                                     [oldTable]).int(0, 0) == 0)

        let unreachable = try store.purge(["--older-than", "30d", "--trash-db", "postgresql://nobody:secret@127.0.0.1:1/none"])
        #expect(unreachable.status == 1)
        #expect(!unreachable.output.contains("secret") && !unreachable.errorOutput.contains("secret"))
    }

    /// Creates `table` with `pgassist tool create_table` and moves it to the trash with an approved drop_table.
    private func trashTable(_ table: String, database: String, store: String) throws {
        let environment = ["PATH": "/usr/bin:/bin", "USER": "purge-tester", "THREAD_STORE_URL": store]
        func tool(_ arguments: [String]) throws -> JSONValue? {
            let result = try Command.run([TestEnvironment.pgassistBinary, "tool"] + arguments, environment: environment)
            return try? JSONValue.parse(result.output)
        }
        _ = try tool(["create_table", "--db", database, "--args",
                      #"{"table": "\#(table)", "columns": [{"name": "id", "type": "bigint", "primaryKey": true}]}"#])
        let arguments = #"{"table": "\#(table)"}"#
        let actionId = try #require(try tool(["drop_table", "--db", database, "--args", arguments])?["actionId"]?.stringValue)
        let dropped = try tool(["drop_table", "--db", database, "--args", arguments, "--approve", actionId])
        try #require(dropped?["restorable"] == .bool(true), "\(String(describing: dropped))")
    }
}
