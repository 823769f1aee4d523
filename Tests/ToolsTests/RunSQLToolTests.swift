import Foundation
import JSON
import QueryTools
import SchemaTools
import TestSupport
import Testing
import ToolsCore
import TrashTools

@Suite("run_sql")
struct RunSQLToolTests {
    let database: ToolTestDatabase

    init() throws {
        database = try ToolTestDatabase(prefix: "runsql")
        try database.execute("""
            CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2), tags text[], meta jsonb,
                                seen timestamptz, raw bytea, flag boolean);
            INSERT INTO items VALUES
              (1, 'alpha', 12.50, '{a,"b c"}', '{"k": [1, 2]}', '2024-05-01 12:00:00+00', '\\x00ff', true),
              (2, 'DROP TABLE items; --', NULL, '{}', 'null', NULL, NULL, false);
            CREATE TABLE big AS SELECT g AS id, md5(g::text) AS hash FROM generate_series(1, 10000) AS g;
            CREATE SEQUENCE counter;
            """)
    }

    private func run(_ query: String, maxRows: Int? = nil, settings: ToolSettings = ToolSettings()) -> ToolResult {
        var arguments: [String: JSONValue] = ["query": .string(query)]
        if let maxRows { arguments["maxRows"] = .number(Double(maxRows)) }
        return RunSQLTool().execute(.object(arguments), context: database.context(settings))
    }

    @Test("values come back typed: numeric exact, json as JSON, arrays, ISO timestamps, base64 bytea, NULL")
    func typedValues() throws {
        let result = run("SELECT id, name, price, tags, meta, seen, raw, flag FROM items ORDER BY id")
        let data = try #require(result.data, "\(result.json.serialized())")
        let rows = try #require(data["rows"]?.arrayValue)
        #expect(rows.count == 2)
        #expect(rows[0] == .object(["id": .number(1), "name": .string("alpha"), "price": .string("12.50"),
                                    "tags": .array([.string("a"), .string("b c")]), "meta": .object(["k": .array([.number(1), .number(2)])]),
                                    "seen": .string("2024-05-01T12:00:00Z"), "raw": .string("AP8="), "flag": .bool(true)]))
        #expect(rows[1]["price"] == .null)
        #expect(rows[1]["name"] == .string("DROP TABLE items; --"))
        let columns = try #require(data["columns"]?.arrayValue)
        #expect(columns[2] == .object(["name": .string("price"), "type": .string("numeric")]))
        #expect(columns[5]["type"] == .string("timestamp with time zone"))
        #expect(data["truncated"] == .bool(false))
    }

    @Test("repeated column names get a suffix so every value is kept")
    func repeatedColumns() throws {
        let rows = try #require(run("SELECT count(*), count(*) FROM items").data?["rows"]?.arrayValue)
        #expect(rows == [.object(["count": .number(2), "count_2": .number(2)])])
    }

    @Test("rows are capped by maxRows and the default, and the cap is reported")
    func rowCap() throws {
        let capped = try #require(run("SELECT * FROM big ORDER BY id", maxRows: 7).data)
        #expect(capped["rowCount"] == .number(7))
        #expect(capped["truncated"] == .bool(true))
        let defaulted = try #require(run("SELECT * FROM big").data)
        #expect(defaulted["rowCount"] == .number(100))
        #expect(run("SELECT 1", maxRows: 0).error?.code == .invalidArguments)
        #expect(run("SELECT 1", maxRows: 1_000_000).error?.code == .invalidArguments)
    }

    @Test("a result larger than the output budget is cut and says how many rows were left out")
    func outputBudget() throws {
        var settings = ToolSettings()
        settings.outputBudgetBytes = 4_096
        let context = database.context(settings)
        let outcome = ToolRegistry(tools: [RunSQLTool()]).run("run_sql", arguments: #"{"query": "SELECT * FROM big ORDER BY id", "maxRows": 1000}"#,
                                                               context: context)
        #expect(outcome.rendered.utf8.count <= 4_096)
        let rendered = try JSONValue.parse(outcome.rendered)
        #expect(rendered["success"] == .bool(true))
        #expect(rendered["truncated"] == .bool(true))
        let kept = rendered["rows"]?.arrayValue?.count ?? 0
        #expect(kept > 10)
        // Reading stopped once the budget was passed: some rows read were cut, and more exist in the database.
        #expect((rendered["omitted"]?.intValue ?? 0) > 0)
        #expect(rendered["moreRows"] == .bool(true))
    }

    @Test("huge values stay on the server: each comes back as a valueTooLarge marker and the output keeps to the budget")
    func hugeValues() throws {
        let outcome = ToolRegistry(tools: [RunSQLTool()]).run(
            "run_sql", arguments: #"{"query": "SELECT g, repeat('x', 200000) AS blob FROM generate_series(1, 200) AS g", "maxRows": 200}"#,
            context: database.context())
        let rendered = try JSONValue.parse(outcome.rendered)
        #expect(outcome.rendered.utf8.count <= ToolSettings().outputBudgetBytes)
        #expect(rendered["success"] == .bool(true), "\(outcome.rendered.prefix(300))")
        #expect(rendered["truncated"] == .bool(true))
        let rows = outcome.result.data?["rows"]?.arrayValue ?? []
        #expect(!rows.isEmpty && rows.allSatisfy { $0["blob"]?["bytes"] == .number(200_000) })
    }

    @Test("EXPLAIN and SHOW run; a CTE with window functions runs")
    func otherKinds() throws {
        #expect(run("EXPLAIN SELECT * FROM big WHERE id = 5").isSuccess)
        #expect(run("SHOW search_path").data?["rows"]?.arrayValue?.count == 1)
        let analytics = run("""
            WITH ranked AS (SELECT id, hash, row_number() OVER (ORDER BY hash) AS r FROM big)
            SELECT r, id FROM ranked WHERE r <= 3 ORDER BY r -- comment; DROP TABLE big
            """)
        #expect(analytics.data?["rowCount"] == .number(3), "\(analytics.json.serialized())")
    }

    @Test("a refused query never reaches the database")
    func refusedNeverRuns() throws {
        let before = try database.scalar("SELECT last_value FROM counter")
        let refused = run("SELECT nextval('counter')")
        #expect(refused.error?.code == .sqlNotReadOnly)
        #expect(refused.error?.message.contains("nextval") == true)
        // nextval is not undone by ROLLBACK, so had it run the sequence would have moved.
        #expect(try database.scalar("SELECT last_value FROM counter") == before)
        #expect(try database.scalar("SELECT is_called FROM counter") == "f")
    }

    @Test("writes refused by the parser are also stopped by the read-only transaction alone",
          arguments: [
              "INSERT INTO items (id, name) VALUES (99, 'x')",
              "UPDATE items SET name = 'changed'",
              "DELETE FROM items",
              "DROP TABLE items",
              "TRUNCATE items",
              "ALTER TABLE items ADD COLUMN sneaky int",
              "CREATE TABLE sneaky (id int)",
              "CREATE INDEX sneaky_idx ON items (name)",
              "WITH gone AS (DELETE FROM items RETURNING *) SELECT count(*) FROM gone",
              "SELECT * INTO sneaky FROM items",
              "COMMENT ON TABLE items IS 'changed'",
              "GRANT SELECT ON items TO PUBLIC",
              "CREATE SCHEMA sneaky",
              "SELECT setval('counter', 42)",
              "MERGE INTO items AS t USING (SELECT 1 AS id) AS s ON t.id = s.id WHEN MATCHED THEN DELETE",
              "INSERT INTO items (id, name) SELECT 100 + g, 'bulk' FROM generate_series(1, 3) AS g",
              "UPDATE items SET name = upper(name) WHERE id IN (SELECT id FROM items)",
              "COPY items FROM STDIN",
              "DO $$ BEGIN INSERT INTO items (id, name) VALUES (98, 'from do'); END $$",
              "CREATE VIEW sneaky_view AS SELECT * FROM items",
              "CREATE FUNCTION sneaky() RETURNS int LANGUAGE sql AS 'SELECT 1'",
              "ALTER SEQUENCE counter RESTART WITH 500",
              "CREATE TABLE sneaky_copy AS SELECT * FROM items",
              "ALTER TABLE items RENAME TO renamed_items",
              "DROP SEQUENCE counter",
              "CREATE EXTENSION IF NOT EXISTS pg_trgm",
              "WITH moved AS (UPDATE items SET id = id + 1000 RETURNING id) SELECT * FROM moved",
          ])
    func lowerLayersStopWrites(sql: String) throws {
        let snapshot = try stateSnapshot()
        // Layer 1, the parser, refuses it.
        #expect(run(sql).error?.code == .sqlNotReadOnly, "parser let through: \(sql)")
        // Layers 2 and 3 alone (no parser): the statement runs inside BEGIN READ ONLY and is rejected there.
        let context = database.context()
        let lower = Result { () throws(ToolError) in
            try ReadOnlyExecution.run(sql, kind: nil, maxRows: 10, database: try context.requireDatabase(), role: nil)
        }
        if case .success = lower { Issue.record("the read-only transaction let through: \(sql)") }
        #expect(try stateSnapshot() == snapshot, "state changed by: \(sql)")
    }

    /// Rows, relations, columns, the comment, schemas and the sequence: what any write would change.
    private func stateSnapshot() throws -> String? {
        try database.scalar("""
            SELECT string_agg(id || ':' || name, ',' ORDER BY id) || '|' ||
                   (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace) || '|' ||
                   (SELECT count(*) FROM pg_attribute WHERE attrelid = 'items'::regclass) || '|' ||
                   coalesce(obj_description('items'::regclass), '') || '|' ||
                   (SELECT count(*) FROM pg_namespace) || '|' || (SELECT last_value FROM counter) || '|' ||
                   (SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace)
            FROM items
            """)
    }

    @Test("a query past the statement timeout is cancelled with sql_timeout")
    func statementTimeout() {
        var settings = ToolSettings()
        settings.statementTimeoutMilliseconds = 200
        let result = run("SELECT count(*) FROM generate_series(1, 200000000)", settings: settings)
        #expect(result.error?.code == .sqlTimeout, "\(result.json.serialized())")
    }

    @Test("the configured low-privilege role applies: what it cannot read is permission_denied")
    func roleLayer() throws {
        try database.execute("""
            DO $$ BEGIN CREATE ROLE pgassist_test_reader NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            GRANT USAGE ON SCHEMA public TO pgassist_test_reader;
            GRANT SELECT ON items TO pgassist_test_reader;
            """)
        var settings = ToolSettings()
        settings.readOnlyRole = "pgassist_test_reader"
        #expect(run("SELECT count(*) FROM items", settings: settings).isSuccess)
        #expect(run("SELECT count(*) FROM big", settings: settings).error?.code == .permissionDenied)
    }

    @Test("bad arguments are invalid_arguments naming the field")
    func badArguments() {
        let context = database.context()
        let tool = RunSQLTool()
        let missing = tool.execute(.object([:]), context: context).error
        #expect(missing?.code == .invalidArguments)
        #expect(missing?.message.contains("'query'") == true)
        let misspelled = tool.execute(.object(["sql": .string("SELECT 1")]), context: context).error
        #expect(misspelled?.message.contains("'sql'") == true)
        let wrongType = tool.execute(.object(["query": .string("SELECT 1"), "maxRows": .string("ten")]), context: context).error
        #expect(wrongType?.message.contains("'maxRows'") == true)
        #expect(tool.execute(.object(["query": .string("SELECT 1"), "maxRows": .null]), context: context).isSuccess)
        #expect(tool.execute(.string("SELECT 1"), context: context).error?.code == .invalidArguments)
        #expect(tool.execute(.object(["query": .string("SELEC 1")]), context: context).error?.code == .sqlParseError)
    }

    @Test("with standard_conforming_strings off on the database, strings still mean what the guard saw")
    func standardConformingStrings() throws {
        let legacy = try ToolTestDatabase(prefix: "legacy")
        try legacy.execute("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET standard_conforming_strings = off', current_database()); END $$")
        // With the setting off the server would end the first string at '\' and run pg_read_file;
        // the tools force it on, so the whole text stays two concatenated string literals.
        let query = #"SELECT '\' || $$ ', pg_catalog.pg_read_file('/etc/hostname') AS f -- $$ AS text"#
        let result = RunSQLTool().execute(.object(["query": .string(query)]), context: legacy.context())
        let rows = try #require(result.data?["rows"]?.arrayValue, "\(result.json.serialized())")
        #expect(rows.count == 1)
        #expect(rows.first?["f"] == nil)
        #expect(rows.first?["text"]?.stringValue?.contains("pg_read_file") == true)
    }

    @Test("user code PostgreSQL would call without a visible call is refused: row.f, user operators, user casts")
    func implicitUserCode() throws {
        // Each user function takes a session-level advisory lock, which survives ROLLBACK: proof that it ran.
        try database.execute("""
            CREATE FUNCTION public.side(items) RETURNS int LANGUAGE sql AS $$ SELECT 1 FROM pg_advisory_lock(4201) $$;
            CREATE FUNCTION public.opf(int, int) RETURNS boolean LANGUAGE sql AS $$ SELECT true FROM pg_advisory_lock(4202) $$;
            CREATE OPERATOR public.### (FUNCTION = public.opf, LEFTARG = int, RIGHTARG = int);
            CREATE FUNCTION public.castf(items) RETURNS int LANGUAGE sql AS $$ SELECT 1 FROM pg_advisory_lock(4203) $$;
            CREATE CAST (items AS int) WITH FUNCTION public.castf(items);
            """)
        func locksHeld() throws -> String? {
            try database.scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid IN (4201, 4202, 4203)")
        }
        for query in ["SELECT x.side FROM items x", "SELECT (x).side FROM items x", "SELECT 1 ### 2", "SELECT x::int FROM items x"] {
            let result = run(query)
            #expect(result.error?.code == .sqlNotReadOnly, "\(query) → \(result.json.serialized())")
        }
        #expect(try locksHeld() == "0")
        // Ordinary qualified columns, built-in operators and casts still run.
        #expect(run("SELECT i.name, i.id::text, 1 = 1 AS same FROM items i WHERE i.id > 0").isSuccess)
        // The check is what stops them: with user functions allowed, the same query runs the function (its
        // value comes back), and the lock it took is gone with the call (the connection is discarded clean).
        var permissive = ToolSettings()
        permissive.allowUserFunctions = true
        let context = database.context(permissive)
        let ran = RunSQLTool().execute(.object(["query": .string("SELECT x.side FROM items x")]), context: context)
        #expect(ran.data?["rows"]?.arrayValue?.first?["side"] == .number(1), "\(ran.json.serialized())")
        #expect(try locksHeld() == "0")
    }

    @Test("a pooled connection killed while idle is replaced on the next call")
    func reconnects() throws {
        let context = database.context()
        let tool = RunSQLTool()
        #expect(tool.execute(.object(["query": .string("SELECT 1")]), context: context).isSuccess)
        let killed = try database.scalar("""
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE application_name = 'pgassist-tools' AND datname = current_database()
            """)
        #expect(killed == "1")
        let again = tool.execute(.object(["query": .string("SELECT 2 AS two")]), context: context)
        #expect(again.data?["rows"]?.arrayValue?.first?["two"] == .number(2), "\(again.json.serialized())")
    }

    @Test("an unreachable database is db_unreachable, quickly, without the password")
    func unreachable() throws {
        let port = try freeTCPPort()
        var settings = ToolSettings()
        settings.connectTimeoutSeconds = 2
        let context = ToolContext(settings: settings,
                                  database: DatabaseAccess(connectionString: "postgresql://app:Sup3rSecret@127.0.0.1:\(port)/app",
                                                           pool: ConnectionPool(), settings: settings, cache: SchemaCache()),
                                  userId: "u")
        let result = RunSQLTool().execute(.object(["query": .string("SELECT 1")]), context: context)
        #expect(result.error?.code == .dbUnreachable)
        #expect(!result.json.serialized().contains("Sup3rSecret"))
    }
}
