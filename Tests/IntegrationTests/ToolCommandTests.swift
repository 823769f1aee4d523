import Foundation
import JSON
import Postgres
import TestSupport
import Testing

/// `pgassist tool`, as users run it: real binary, real PostgreSQL (the fixture, and Pagila when present).
@Suite("pgassist tool")
struct ToolCommandTests {
    private func tool(_ arguments: [String], store: String? = nil, directory: String? = nil,
                      extra: [String: String] = [:]) throws -> (status: Int32, json: JSONValue?, output: String, errors: String) {
        var environment = ["PATH": "/usr/bin:/bin", "USER": "cli-tester"].merging(extra) { $1 }
        if let store { environment["THREAD_STORE_URL"] = store }
        let result = try Command.run([TestEnvironment.pgassistBinary, "tool"] + arguments, environment: environment,
                                     directory: directory)
        return (result.status, try? JSONValue.parse(result.output), result.output, result.errorOutput)
    }

    @Test("--list prints strict function definitions for every tool, in both API shapes")
    func list() throws {
        let responses = try tool(["--list"])
        #expect(responses.status == 0)
        let definitions = try #require(responses.json?.arrayValue)
        let names = definitions.compactMap { $0["name"]?.stringValue }
        for expected in ["run_sql", "list_tables", "get_schema"] { #expect(names.contains(expected), "\(names)") }
        for definition in definitions {
            #expect(definition["strict"] == .bool(true))
            #expect(definition["parameters"]?["additionalProperties"] == .bool(false))
        }
        let chat = try tool(["--list", "--style", "chat-completions"])
        #expect(chat.json?.arrayValue?.first?["function"]?["name"] != nil)
    }

    @Test("bad usage exits 2 with a message; a tool failure exits 1 with JSON")
    func exitStatuses() throws {
        let unknown = try tool(["no_such_tool"])
        #expect(unknown.status == 2)
        #expect(unknown.errors.contains("no_such_tool"))
        #expect(try tool([]).status == 2)
        let database = try FixtureDatabase.create(prefix: "cli")
        let refused = try tool(["run_sql", "--db", database, "--args", #"{"query": "DELETE FROM public.orders"}"#])
        #expect(refused.status == 1)
        #expect(refused.json?["error"]?["code"] == .string("sql_not_read_only"))
        let malformed = try tool(["run_sql", "--db", database, "--args", "{not json"])
        #expect(malformed.status == 1)
        #expect(malformed.json?["error"]?["code"] == .string("invalid_arguments"))
    }

    @Test("list_tables, get_schema and run_sql answer on the fixture database")
    func fixture() throws {
        let database = try FixtureDatabase.create(prefix: "cli")
        let workingDirectory = try TemporaryDirectory()
        let listed = try tool(["list_tables", "--db", database], directory: workingDirectory.path)
        #expect(listed.status == 0, "\(listed.output)\(listed.errors)")
        // A read-only tool needs no approval store, so none is created in the working directory.
        #expect(try FileManager.default.contentsOfDirectory(atPath: workingDirectory.path).isEmpty)
        let names = listed.json?["tables"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(names.contains("orders"))
        #expect(!names.contains("users"), "platform schema auth must be hidden")
        let schema = try tool(["get_schema", "--db", database, "--args", #"{"table": "orders"}"#])
        #expect(schema.status == 0)
        #expect(schema.json?["columns"]?.arrayValue?.isEmpty == false)
        let counted = try tool(["run_sql", "--db", database, "--args", #"{"query": "SELECT count(*) AS n FROM public.orders"}"#])
        #expect(counted.status == 0)
        #expect(counted.json?["rows"]?.arrayValue?.first?["n"]?.intValue != nil)
    }

    @Test("every read tool works on Pagila from the command line (when ../shared has it)")
    func pagila() throws {
        guard let database = try FixtureDatabase.pagila() else {
            print("note: ../shared/data/pagila is absent; the Pagila CLI test is skipped")
            return
        }
        let listed = try tool(["list_tables", "--db", database])
        let names = Set(listed.json?["tables"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? [])
        #expect(names.isSuperset(of: ["film", "actor", "rental", "payment", "customer"]), "\(names)")
        let film = try tool(["get_schema", "--db", database, "--args", #"{"table": "film"}"#])
        #expect(film.status == 0)
        #expect(film.json?["columns"]?.arrayValue?.contains { $0["name"] == .string("rating") } == true)
        let monthly = try tool(["run_sql", "--db", database, "--args", """
            {"query": "SELECT date_trunc('month', rental_date) AS month, count(*) AS rentals FROM rental GROUP BY 1 ORDER BY 1"}
            """])
        #expect(monthly.status == 0, "\(monthly.output)")
        #expect((monthly.json?["rowCount"]?.intValue ?? 0) > 0)
    }

    @Test("create, drop with approval, restore and purge work from the command line, approvals kept in the store")
    func writeRoundTrip() throws {
        let database = try FixtureDatabase.pagila() ?? FixtureDatabase.create(prefix: "cliw")
        let referenced = try FixtureDatabase.pagila() == nil ? "orders" : "film"
        let directory = try TemporaryDirectory()
        let store = "sqlite://\(directory.file("store.db"))"
        let table = "cli_notes_\(UInt32.random(in: 0..<UInt32.max))"
        let referencedKey = referenced == "film" ? "film_id" : "id"
        let created = try tool(["create_table", "--db", database, "--args", """
            {"table": "\(table)", "columns": [{"name": "id", "type": "bigint", "primaryKey": true},
             {"name": "body", "type": "text", "nullable": false},
             {"name": "ref", "type": "integer", "references": {"table": "\(referenced)", "column": "\(referencedKey)"}}],
             "comment": "made by the CLI test"}
            """], store: store)
        #expect(created.status == 0, "\(created.output)\(created.errors)")
        let dropArgs = #"{"table": "\#(table)"}"#
        let asked = try tool(["drop_table", "--db", database, "--args", dropArgs], store: store)
        #expect(asked.status == 1)
        #expect(asked.json?["error"]?["code"] == .string("confirmation_required"))
        let actionId = try #require(asked.json?["actionId"]?.stringValue)
        // The table is still there until the approval.
        #expect(try tool(["get_schema", "--db", database, "--args", #"{"table": "\#(table)"}"#]).status == 0)
        let dropped = try tool(["drop_table", "--db", database, "--args", dropArgs, "--approve", actionId], store: store)
        #expect(dropped.status == 0, "\(dropped.output)")
        #expect(dropped.json?["restorable"] == .bool(true))
        #expect(try tool(["get_schema", "--db", database, "--args", #"{"table": "\#(table)"}"#]).json?["error"]?["code"]
                == .string("relation_not_found"))
        let reused = try tool(["drop_table", "--db", database, "--args", dropArgs, "--approve", actionId], store: store)
        #expect(reused.status == 1)
        let restored = try tool(["restore_table", "--db", database, "--args", #"{"table": "\#(table)"}"#], store: store)
        #expect(restored.status == 0, "\(restored.output)")
        #expect(try tool(["get_schema", "--db", database, "--args", #"{"table": "\#(table)"}"#]).status == 0)
        let purgeArgs = #"{"table": "\#(table)", "purge": true}"#
        let purgeAsked = try tool(["drop_table", "--db", database, "--args", purgeArgs], store: store)
        let purgeId = try #require(purgeAsked.json?["actionId"]?.stringValue)
        let purged = try tool(["drop_table", "--db", database, "--args", purgeArgs, "--approve", purgeId], store: store)
        #expect(purged.status == 0, "\(purged.output)")
        #expect(purged.json?["purged"] == .bool(true))
    }

    @Test("APPROVAL_TOOLS and a project's approvalTools gate a tool from the command line as in chat")
    func approvalPolicy() throws {
        let database = try FixtureDatabase.create(prefix: "cligate")
        let directory = try TemporaryDirectory()
        let store = "sqlite://\(directory.file("store.db"))"
        let exists = { (table: String) throws -> Bool in
            try PostgresConnection(connectionString: database).query("SELECT to_regclass('public.\(table)') IS NOT NULL").string(0, 0) == "t"
        }
        let args = { (table: String) in #"{"table": "\#(table)", "columns": [{"name": "id", "type": "bigint", "primaryKey": true}]}"# }

        // The deployment's gate: the first call only asks, the approved second call creates the table.
        let gated = ["APPROVAL_TOOLS": "create_table"]
        let asked = try tool(["create_table", "--db", database, "--args", args("gated_one")], store: store, extra: gated)
        #expect(asked.status == 1 && asked.json?["error"]?["code"] == .string("confirmation_required"), "\(asked.output)")
        let actionId = try #require(asked.json?["actionId"]?.stringValue)
        #expect(try !exists("gated_one"), "nothing is created before the approval")
        let created = try tool(["create_table", "--db", database, "--args", args("gated_one"), "--approve", actionId],
                               store: store, extra: gated)
        #expect(created.status == 0, "\(created.output)")
        #expect(try exists("gated_one"))

        // Without the gate the tool runs at once; a project's approvalTools gate it again for that project only.
        #expect(try tool(["create_table", "--db", database, "--args", args("free_one")], store: store).status == 0)
        let projects = directory.file("projects.json")
        try Data(#"{"shop": {"connectionString": "host=db.invalid dbname=x", "approvalTools": ["create_table"]}}"#.utf8)
            .write(to: URL(fileURLWithPath: projects))
        let inProject = try tool(["create_table", "--db", database, "--project", "shop", "--args", args("project_one")],
                                 store: store, extra: ["PROJECTS_FILE": projects])
        #expect(inProject.json?["error"]?["code"] == .string("confirmation_required"), "\(inProject.output)")
        #expect(try !exists("project_one"))
        let otherProject = try tool(["create_table", "--db", database, "--project", "elsewhere", "--args", args("other_one")],
                                    store: store, extra: ["PROJECTS_FILE": projects])
        #expect(otherProject.status == 0, "\(otherProject.output)")
    }

    @Test("an approval acts only on the database and project it was asked for: another --db or --project is invalid_approval")
    func approvalBoundToDatabase() throws {
        let directory = try TemporaryDirectory()
        let store = "sqlite://\(directory.file("store.db"))"
        let asked = try FixtureDatabase.create(prefix: "clia")
        let other = try FixtureDatabase.create(prefix: "clib")
        // The other database's invoice is the bigger one: approving there would destroy more than the user saw.
        try PostgresConnection(connectionString: other).execute("INSERT INTO public.invoice SELECT g, NULL FROM generate_series(3, 5000) g")
        let args = #"{"table": "invoice"}"#
        let secret = "pw-not-stored-\(UInt32.random(in: 100_000...999_999))"
        let separator = asked.contains("?") ? "&" : "?"
        let question = try tool(["drop_table", "--db", asked + separator + "password=\(secret)", "--project", "shop", "--args", args],
                                store: store)
        #expect(question.json?["error"]?["code"] == .string("confirmation_required"), "\(question.output)")
        let actionId = try #require(question.json?["actionId"]?.stringValue)

        for (database, project) in [(other, "shop"), (asked, "elsewhere"), (asked, "")] {
            let refused = try tool(["drop_table", "--db", database, "--project", project, "--args", args, "--approve", actionId],
                                   store: store)
            #expect(refused.status == 1, "\(project): \(refused.output)")
            #expect(refused.json?["error"]?["code"] == .string("invalid_approval"), "\(refused.output)")
        }
        for database in [asked, other] {
            #expect(try PostgresConnection(connectionString: database).query("SELECT to_regclass('public.invoice')::text")
                .string(0, 0) != nil, "nothing was dropped on a mismatched approval")
        }
        // The same database spelled with other settings (no password, a TLS mode) is the same target.
        let respelled = asked + separator + "sslmode=disable"
        let dropped = try tool(["drop_table", "--db", respelled, "--project", "shop", "--args", args, "--approve", actionId],
                               store: store)
        #expect(dropped.status == 0, "\(dropped.output)")
        #expect(try PostgresConnection(connectionString: asked).query("SELECT to_regclass('public.invoice')::text").string(0, 0) == nil)
        #expect(try PostgresConnection(connectionString: other).query("SELECT count(*) FROM public.invoice").int(0, 0) == 5000)
        for name in ["store.db", "store.db-wal"] {
            let file = (try? Data(contentsOf: URL(fileURLWithPath: directory.file(name)))) ?? Data()
            #expect(file.range(of: Data(secret.utf8)) == nil, "\(name) holds the password")
        }
    }
}
