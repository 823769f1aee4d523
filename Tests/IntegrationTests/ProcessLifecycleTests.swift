import Foundation
import HTTPClient
import SQLite
import TestSupport
import Testing

/// Worker behaviour that needs whole processes: recycling, the read-only hot path, CGI mode, a missing pool.
@Suite("Worker processes", .serialized)
struct ProcessLifecycleTests {
    @Test("--max-requests recycles workers without failing a request")
    func recycling() throws {
        let service = try Service(store: .sqlite, workers: 2, threads: 2, maxRequests: 5)
        defer { service.stop() }
        let first = Set(service.workers.workerPIDs())
        var statuses: [Int] = []
        for index in 0..<40 {
            statuses.append(try service.request("GET", "/api/ai/assistant/thread?userId=r\(index % 4)").status)
        }
        #expect(statuses.allSatisfy { $0 == 200 }, "\(statuses)")
        #expect(eventually(within: 10) { !first.isSubset(of: Set(service.workers.workerPIDs())) })
        #expect(!service.logs.contains("died to often"))
    }

    @Test("GET of an existing thread writes nothing to the store")
    func readsDoNotWrite() throws {
        let service = try Service(store: .sqlite, workers: 2, threads: 2)
        defer { service.stop() }
        #expect(try service.request("GET", "/api/ai/assistant/thread?userId=reader").status == 200)
        // A trigger records every later write to the thread tables.
        let database = try SQLiteConnection(path: try #require(service.sqlitePath))
        try database.execute("""
            CREATE TABLE test_writes (what TEXT);
            CREATE TRIGGER test_thread_update AFTER UPDATE ON threads BEGIN INSERT INTO test_writes VALUES ('update'); END;
            CREATE TRIGGER test_thread_insert AFTER INSERT ON threads BEGIN INSERT INTO test_writes VALUES ('insert'); END;
            CREATE TRIGGER test_message_insert AFTER INSERT ON messages BEGIN INSERT INTO test_writes VALUES ('message'); END;
            """)
        for _ in 0..<20 {
            #expect(try service.request("GET", "/api/ai/assistant/thread?userId=reader&messages=1").status == 200)
        }
        #expect(try database.query("SELECT COUNT(*) FROM test_writes")[0].int(0) == 0)
        // The triggers do fire on a real write, so the check above can fail.
        #expect(try service.request("GET", "/api/ai/assistant/thread?userId=someone-new").status == 200)
        #expect(try database.query("SELECT COUNT(*) FROM test_writes")[0].int(0) == 1)
    }

    @Test("with the workers gone nginx answers 502 in the JSON error shape")
    func workersDown() throws {
        let service = try Service(store: .sqlite, workers: 2, threads: 2)
        defer { service.stop() }
        service.workers.stop()
        let response = try service.request("GET", "/api/ai/assistant/thread?userId=u")
        #expect(response.status == 502)
        #expect(response.isJSONError)
        #expect(response.errorCode == "upstream_unavailable")
    }

    @Test("started as plain CGI the binary answers one request on stdout")
    func cgiMode() throws {
        let directory = try TemporaryDirectory()
        let result = try Command.run([TestEnvironment.pgassistBinary], environment: [
            "REQUEST_METHOD": "GET", "DOCUMENT_URI": "/api/ai/assistant/thread", "QUERY_STRING": "userId=cgi-user",
            "THREAD_STORE_URL": "sqlite://\(directory.file("cgi.db"))", "PATH": "/usr/bin:/bin",
        ], input: "")
        #expect(result.status == 0, "\(result.errorOutput)")
        #expect(result.output.hasPrefix("Status: 200 OK\r\n"), "\(result.output)")
        #expect(result.output.contains("Content-Type: application/json"))
        #expect(result.output.contains(#""userId":"cgi-user""#))
    }

    @Test("started from a terminal without a socket it explains how to run it")
    func noSocket() throws {
        let result = try Command.run([TestEnvironment.pgassistBinary, "serve"], environment: ["PATH": "/usr/bin:/bin"], input: "")
        #expect(result.status != 0)
        #expect(result.errorOutput.contains("spawn-fcgi"))
    }

    @Test("an unusable SQLite path stops the worker at start with a clear message")
    func unusableStore() throws {
        let result = try Command.run([TestEnvironment.pgassistBinary, "migrate"], environment: [
            "THREAD_STORE_URL": "sqlite:///proc/nope/threads.db", "PATH": "/usr/bin:/bin",
        ])
        #expect(result.status != 0)
        #expect(result.errorOutput.contains("thread store"))
    }
}
