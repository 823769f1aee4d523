import Foundation
import JSON
import Postgres
import TestSupport
import Testing

/// Where chat's database connections come from, rate limits and the audit trail, through nginx:
/// refused targets are refused before anything is stored or any model is called.
@Suite("Chat: projects, host policy, limits and audit", .serialized)
struct ChatProjectAccessTests {
    @Test("a connection string to a host not on ALLOWED_DB_HOSTS is 403 and stores nothing; none at all without ALLOW_REQUEST_CONNECTION_STRING")
    func hostPolicy() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        for target in ["postgresql://app:pw@db.example.com/app", "host=127.0.0.1,10.1.2.3 dbname=app",
                       "postgresql://u@127.0.0.1@evil.example/db", "service=prod"] {
            let refused = try harness.chat(["message": .string("hi"), "connectionString": .string(target)])
            #expect(refused.status == 403, "\(target): \(refused.text)")
            #expect(refused.errorCode == "db_host_not_allowed", "\(target): \(refused.text)")
            #expect(!refused.text.contains("pw@"), "the answer never repeats the connection string")
        }
        #expect(try harness.messages().isEmpty, "nothing was stored")
        #expect(try harness.provider.requests().isEmpty, "the model was never called")

        let strict = try ChatHarness(environment: ["ALLOW_REQUEST_CONNECTION_STRING": "0"])
        defer { strict.stop() }
        let refused = try strict.say("hi")
        #expect(refused.status == 403, "\(refused.text)")
        #expect(refused.errorCode == "connection_string_not_allowed", "\(refused.text)")
    }

    @Test("libpq options that act on the worker's files or session are 400 connection_option_not_allowed; plain ones connect")
    func connectionOptions() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        let separator = harness.databaseURL.contains("?") ? "&" : "?"
        for (option, keyword) in [("sslkey=%2Fetc%2Fshadow", "sslkey"), ("sslrootcert=%2Fetc%2Fshadow", "sslrootcert"),
                                  ("passfile=%2Fetc%2Fshadow", "passfile"), ("sslcrldir=%2Fetc", "sslcrldir"),
                                  ("options=-c%20role%3Dpostgres", "options"), ("password=pw-secret&gssencmode=require", "gssencmode")] {
            let refused = try harness.chat(["message": .string("hi"),
                                            "connectionString": .string(harness.databaseURL + separator + option)])
            #expect(refused.status == 400, "\(option): \(refused.text)")
            #expect(refused.errorCode == "connection_option_not_allowed", "\(option): \(refused.text)")
            #expect(refused.text.contains("'\(keyword)'"), "\(refused.text)")
            #expect(!refused.text.contains("shadow") && !refused.text.contains("pw-secret"), "values are never echoed")
        }
        #expect(try harness.messages().isEmpty, "nothing was stored")
        #expect(try harness.provider.requests().isEmpty, "the model was never called")

        try harness.provider.script([toolStep([("list_tables", "{}")]), textStep("ok")])
        let target = harness.databaseURL + separator + "sslmode=disable&application_name=studio&keepalives=1"
        let answered = try harness.chat(["message": .string("tables?"), "connectionString": .string(target)])
        #expect(answered.status == 200, "\(answered.text)\n\(harness.logs)")
        let calls = answered.json["toolCalls"] as? [[String: Any]] ?? []
        #expect(calls.first?["success"] as? Bool == true, "\(answered.text)")
    }

    @Test("a request's connection string never logs in with the worker's password file; with its own password it does")
    func workerPasswordFile() throws {
        let server = try PrivatePostgresServer()
        defer { server.release() }
        let role = "pgpass_user"
        let admin = try PostgresConnection(connectionString: server.url(database: "postgres"))
        try admin.execute("CREATE ROLE \(role) LOGIN PASSWORD 'from-pgpass'")
        let hba = server.directory.file("data/pg_hba.conf")
        let rules = try String(contentsOfFile: hba, encoding: .utf8)
        try ("host all \(role) 127.0.0.1/32 scram-sha-256\n" + rules).write(toFile: hba, atomically: true, encoding: .utf8)
        _ = try admin.query("SELECT pg_reload_conf()")
        let folder = try TemporaryDirectory(prefix: "pgassist-pgpass")
        let passfile = folder.file("pgpass")
        try "*:*:*:\(role):from-pgpass\n".write(toFile: passfile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: passfile)

        let harness = try ChatHarness(environment: ["PGPASSFILE": passfile,
                                                    "ALLOWED_DB_HOSTS": allowedHostEntry(server.url(database: "postgres"))])
        defer { harness.stop() }
        try harness.provider.script([toolStep([("list_tables", "{}")]), textStep("no"),
                                     toolStep([("list_tables", "{}")]), textStep("yes")])
        let target = "postgresql://\(role)@127.0.0.1:\(server.port)/postgres"
        let refused = try harness.chat(["message": .string("tables?"), "connectionString": .string(target)])
        #expect(refused.status == 200, "\(refused.text)\n\(harness.logs)")
        #expect(refused.toolCalls.first?["success"] as? Bool == false, "the worker's password file logged the request in: \(refused.text)")

        let withPassword = "postgresql://\(role):from-pgpass@127.0.0.1:\(server.port)/postgres"
        let answered = try harness.chat(["message": .string("tables?"), "connectionString": .string(withPassword),
                                         "threadId": .string(refused.json["threadId"] as? String ?? "")])
        #expect(answered.toolCalls.first?["success"] as? Bool == true, "\(answered.text)")
    }

    @Test("a project in PROJECTS_FILE brings its database and tools; a read-only project offers no write tools; unknown is 404")
    func projectRegistry() throws {
        let directory = try TemporaryDirectory(prefix: "pgassist-projects")
        let database = try FixtureDatabase.create(prefix: "projdb")
        let file = directory.file("projects.json")
        let projects = JSONValue.object([
            "shop": .object(["connectionString": .string(database), "readOnly": .bool(true)]),
        ])
        try projects.serialized().write(toFile: file, atomically: true, encoding: .utf8)
        let harness = try ChatHarness(environment: ["PROJECTS_FILE": file, "ALLOW_REQUEST_CONNECTION_STRING": "0"])
        defer { harness.stop() }
        try harness.provider.script([toolStep([("list_tables", #"{"schema":"public"}"#)]), textStep("Listed.")])
        let response = try harness.service.request("POST", "/api/ai/assistant/chat", body: JSONValue.object([
            "userId": .string("ada"), "projectRef": .string("shop"), "message": .string("what tables?"),
        ]).serialized())
        #expect(response.status == 200, "\(response.text)\n\(harness.logs)")
        let calls = response.json["toolCalls"] as? [[String: Any]] ?? []
        #expect(calls.first?["success"] as? Bool == true, "the registry's database was used: \(response.text)")
        let offered = try harness.provider.requests().first?["body"]?["tools"]?.arrayValue?
            .compactMap { $0["name"]?.stringValue } ?? []
        #expect(offered.contains("run_sql") && offered.contains("list_tables"), "\(offered)")
        #expect(!offered.contains("drop_table") && !offered.contains("create_table"), "read-only project: \(offered)")

        let unknown = try harness.service.request("POST", "/api/ai/assistant/chat", body: JSONValue.object([
            "userId": .string("ada"), "projectRef": .string("elsewhere"), "message": .string("hi"),
        ]).serialized())
        #expect(unknown.status == 404, "\(unknown.text)")
        #expect(unknown.errorCode == "project_not_found", "\(unknown.text)")
    }

    @Test("RATE_LIMIT_RUNS refuses the next run with 429 rate_limited and Retry-After, storing nothing for it")
    func runLimit() throws {
        let harness = try ChatHarness(environment: ["RATE_LIMIT_RUNS": "2", "RATE_LIMIT_WINDOW_S": "3600"])
        defer { harness.stop() }
        try harness.provider.script([textStep("one"), textStep("two"), textStep("three")])
        #expect(try harness.say("first").status == 200)
        #expect(try harness.say("second").status == 200)
        let refused = try harness.say("third")
        #expect(refused.status == 429, "\(refused.text)")
        #expect(refused.errorCode == "rate_limited")
        #expect(Int(refused.header("retry-after") ?? "") ?? 0 >= 1)
        #expect(try harness.messages().compactMap { $0["content"] as? String }.filter { $0 == "third" }.isEmpty)
        #expect(try harness.say("other user", userId: "grace").status == 200, "limits are per user")
    }

    @Test("tool calls and approvals are audited in the store and as JSON log lines, without the connection's password")
    func audit() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        let secret = "pw-\(UInt32.random(in: 100_000...999_999))-secret"
        let target = harness.databaseURL + (harness.databaseURL.contains("?") ? "&" : "?") + "password=\(secret)"
        try harness.provider.script([toolStep([("list_tables", "{}")]), textStep("ok"),
                                     toolStep([("drop_table", #"{"table":"invoice"}"#)])])
        let first = try harness.chat(["message": .string("tables?"), "connectionString": .string(target)])
        #expect(first.status == 200, "\(first.text)\n\(harness.logs)")
        let paused = try harness.chat(["message": .string("drop invoice"), "connectionString": .string(target),
                                       "threadId": .string(first.json["threadId"] as? String ?? "")])
        let actionId = try #require((paused.json["pendingAction"] as? [String: Any])?["id"] as? String, "\(paused.text)")
        try harness.provider.script([textStep("declined, fine")])
        let rejected = try harness.chat(["reject": .string(actionId), "connectionString": .string(target),
                                         "threadId": .string(first.json["threadId"] as? String ?? "")])
        #expect(rejected.status == 200, "\(rejected.text)")

        let result = try Command.run([TestEnvironment.pgassistBinary, "audit", "--json", "--user", "ada"],
                                     environment: ["PATH": "/usr/bin:/bin",
                                                   "THREAD_STORE_URL": "sqlite://\(harness.service.sqlitePath ?? "")"])
        #expect(result.status == 0, "\(result.errorOutput)")
        let events = result.output.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
        let kinds = events.compactMap { $0["kind"]?.stringValue }
        #expect(kinds.contains("tool") && kinds.contains("rejection"), "\(result.output)")
        #expect(events.contains { $0["tool"]?.stringValue == "list_tables" && $0["success"]?.boolValue == true })
        let auditLines = harness.service.workers.logLines.filter { $0.event == "audit" }
        #expect(auditLines.contains { $0.string("kind") == "tool" && $0.string("tool") == "list_tables" && $0.string("user") == "ada" },
                "one JSON line per audited step: \(auditLines)")
        #expect(auditLines.contains { $0.string("kind") == "rejection" && $0.string("run_id")?.hasPrefix("run_") == true })
        for text in [result.output, harness.service.workers.log, harness.service.nginx.errorLog, first.text, paused.text,
                     rejected.text] {
            #expect(!text.contains(secret), "the password never appears")
        }
    }
}
