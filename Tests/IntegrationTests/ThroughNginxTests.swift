import Foundation
import HTTPClient
import TestSupport
import Testing

/// The endpoints through a real nginx and real spawn-fcgi + multiwatch workers (2 processes × 2 threads),
/// once with the SQLite store and once with a PostgreSQL store.
@Suite("Through nginx", .serialized)
struct ThroughNginxTests {
    static let stores = ["sqlite", "postgres"]

    private func service(_ store: String, environment: [String: String] = [:]) throws -> Service {
        let kind: Service.Store = store == "postgres"
            ? .postgres(url: try PostgresServer.shared().createDatabase(prefix: "nginx"))
            : .sqlite
        return try Service(store: kind, workers: 2, threads: 2, environment: environment)
    }

    @Test("health answers with the configured store", arguments: stores)
    func health(store: String) throws {
        let service = try service(store)
        defer { service.stop() }
        let response = try service.request("GET", "/api/ai/assistant/health")
        #expect(response.status == 200)
        #expect(response.json["status"] as? String == "ok")
        #expect(response.json["store"] as? String == store)
    }

    @Test("50 concurrent first requests of one user get one and the same thread", arguments: stores)
    func concurrentGetOrCreate(store: String) throws {
        let service = try service(store)
        defer { service.stop() }
        let url = "\(service.baseURL)/api/ai/assistant/thread?userId=racer%40example.com&projectRef=abc"
        let ids = try concurrently(50) { index in
            // A credential per request: nginx's request limit (keyed on it) is not what this test is about.
            let response = try HTTPClient().send(HTTPClientRequest(method: "GET", url: url,
                                                                   headers: [("Authorization", "Bearer racer-\(index)")]))
            return "\(response.status) \(response.json["threadId"] as? String ?? "none")"
        }
        #expect(Set(ids).count == 1, "\(Set(ids))")
        #expect(ids[0].hasPrefix("200 thread_"))
        let again = try service.request("GET", "/api/ai/assistant/thread?userId=racer%40example.com")
        #expect(again.json["userId"] as? String == "racer@example.com")
        #expect("200 \(again.json["threadId"] as? String ?? "")" == ids[0])
    }

    @Test("DELETE then GET gives a new, empty thread", arguments: stores)
    func deleteThenGet(store: String) throws {
        let service = try service(store)
        defer { service.stop() }
        let first = try service.request("GET", "/api/ai/assistant/thread?userId=dana").json["threadId"] as? String
        let deleted = try service.request("DELETE", "/api/ai/assistant/thread?userId=dana")
        #expect(deleted.status == 200)
        #expect(deleted.json["deleted"] as? Bool == true)
        #expect(deleted.json["threadId"] as? String == first)
        let next = try service.request("GET", "/api/ai/assistant/thread?userId=dana")
        #expect(next.status == 200)
        #expect(next.json["threadId"] as? String != first)
        #expect(next.json["messageCount"] as? Int == 0)
        let nothing = try service.request("DELETE", "/api/ai/assistant/thread?userId=nobody")
        #expect(nothing.status == 200)
        #expect(nothing.json["deleted"] as? Bool == false)
    }

    @Test("setup creates then updates the stored assistant definition", arguments: stores)
    func setup(store: String) throws {
        let service = try service(store)
        defer { service.stop() }
        let created = try service.request("POST", "/api/ai/assistant/setup")
        #expect(created.status == 201)
        #expect(created.json["created"] as? Bool == true)
        let tools = created.json["tools"] as? [String] ?? []
        for name in ["run_sql", "list_tables", "get_schema", "create_table", "drop_table", "restore_table"] {
            #expect(tools.contains(name), "setup lists \(tools)")
        }
        let updated = try service.request("POST", "/api/ai/assistant/setup", body: #"{"instructions": "Answer in French."}"#)
        #expect(updated.status == 200)
        #expect(updated.json["created"] as? Bool == false)
        #expect(updated.json["assistantId"] as? String == created.json["assistantId"] as? String)
        #expect(updated.json["version"] as? Int == 2)
    }

    @Test("every kind of bad input gets its status and a JSON error body", arguments: stores)
    func badInput(store: String) throws {
        let service = try service(store, environment: ["PGASSIST_MAX_BODY_BYTES": "4096"])
        defer { service.stop() }
        let json = [("Content-Type", "application/json")]
        let cases: [(method: String, path: String, body: String?, headers: [(String, String)]?, status: Int, code: String)] = [
            ("POST", "/api/ai/assistant/chat", "{not json", json, 400, "invalid_json"),
            ("POST", "/api/ai/assistant/chat", #"{"projectRef":"p","message":"hi"}"#, json, 400, "missing_field"),
            ("POST", "/api/ai/assistant/chat", #"{"userId":"u","projectRef":"p","message":""}"#, json, 400, "invalid_field"),
            ("GET", "/api/ai/assistant/thread", nil, nil, 400, "missing_field"),
            ("GET", "/api/ai/assistant/nothing-here", nil, nil, 404, "not_found"),
            ("GET", "/somewhere/else", nil, nil, 404, "not_found"),
            ("PUT", "/api/ai/assistant/thread?userId=u", "{}", json, 405, "method_not_allowed"),
            ("GET", "/api/ai/assistant/chat", nil, nil, 405, "method_not_allowed"),
            ("POST", "/api/ai/assistant/chat", "userId=u", [("Content-Type", "application/x-www-form-urlencoded")], 415, "unsupported_media_type"),
            ("POST", "/api/ai/assistant/chat", String(repeating: "x", count: 10_000), json, 413, "payload_too_large"),
            ("POST", "/api/ai/assistant/chat", String(repeating: "x", count: 2_000_000), json, 413, "payload_too_large"),
            ("POST", "/api/ai/assistant/chat", #"{"userId":"u","projectRef":"p","message":"hi"}"#, json, 503, "model_not_configured"),
        ]
        for item in cases {
            let response = try service.request(item.method, item.path, body: item.body, headers: item.headers)
            let label = "\(item.method) \(item.path) → \(response.status) \(response.text.prefix(200))"
            #expect(response.status == item.status, "\(label)")
            #expect(response.errorCode == item.code, "\(label)")
            #expect(response.isJSONError, "\(label)")
            if item.status == 405 { #expect(response.header("Allow") != nil, "\(label)") }
        }
    }

    @Test("a worker killed with SIGKILL is replaced and requests keep succeeding", arguments: stores)
    func killedWorkerIsReplaced(store: String) throws {
        let service = try service(store)
        defer { service.stop() }
        let before = service.workers.workerPIDs()
        #expect(before.count == 2)
        // multiwatch counts a death within its retry window as a failed start: let the workers settle first.
        sleep(2)
        kill(before[0], SIGKILL)
        #expect(eventually(within: 10) {
            let now = service.workers.workerPIDs()
            return now.count == 2 && !now.contains(before[0])
        }, "workers now \(service.workers.workerPIDs()), log: \(service.logs)")
        let statuses = try concurrently(20) { index in
            try HTTPClient().send(HTTPClientRequest(url: "\(service.baseURL)/api/ai/assistant/thread?userId=k\(index)")).status
        }
        #expect(statuses.allSatisfy { $0 == 200 }, "\(statuses)")
    }
}
