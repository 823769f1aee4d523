import Foundation
import JSON
import Postgres
import QueryTools
import SQLGuard
import SchemaTools
import Testing
import ToolsCore
import TrashTools

/// The layers of run_sql below the parse tree, each on its own: what the server resolved (the probe), the
/// separate read-only login, and the call's one deadline. The database user of these tests is a superuser.
@Suite("run_sql: layers below the guard", .serialized)
struct RunSQLLayerTests {
    let database: ToolTestDatabase
    /// Where the user functions of these tests leave a mark when they run (a file the server writes).
    let marker: String

    init() throws {
        database = try ToolTestDatabase(prefix: "layers")
        marker = "/tmp/pgassist-layer-marker-\(UUID().uuidString)"
        try database.execute("""
            CREATE TABLE items (id int PRIMARY KEY, name text);
            INSERT INTO items VALUES (1, 'alpha'), (2, 'beta');
            CREATE FUNCTION public.mark() RETURNS boolean LANGUAGE plpgsql AS $$
                BEGIN EXECUTE format('COPY (SELECT 1) TO %L', '\(marker)'); RETURN true; END $$;
            CREATE FUNCTION public.lower(integer) RETURNS text LANGUAGE sql AS $$ SELECT 'user:' || public.mark()::text $$;
            CREATE FUNCTION public.side(items) RETURNS boolean LANGUAGE sql AS $$ SELECT public.mark() $$;
            CREATE FUNCTION public.same(int, int) RETURNS boolean LANGUAGE sql AS $$ SELECT public.mark() $$;
            CREATE OPERATOR public.=== (FUNCTION = public.same, LEFTARG = int, RIGHTARG = int);
            CREATE FUNCTION public.checked(text) RETURNS boolean LANGUAGE sql AS $$ SELECT public.mark() $$;
            CREATE DOMAIN marked AS text CHECK (public.checked(VALUE));
            CREATE DOMAIN sleepy AS text CHECK (pg_catalog.pg_sleep(0) IS NOT NULL);
            CREATE TYPE holder AS (a marked);
            CREATE FUNCTION public.held(int, holder) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$;
            CREATE OPERATOR public.=== (FUNCTION = public.held, LEFTARG = int, RIGHTARG = holder);
            CREATE TABLE boxes (id int, tags marked[], pair holder);
            INSERT INTO boxes VALUES (1, NULL, NULL);
            CREATE VIEW calls_user AS SELECT id, public.mark() AS m FROM items;
            CREATE VIEW calls_builtin AS SELECT id, pg_catalog.pg_try_advisory_lock(77) AS l FROM items;
            CREATE VIEW plain AS SELECT id, name FROM items;
            CREATE TYPE mood AS ENUM ('ok');
            CREATE FUNCTION public.mood_json(mood) RETURNS json LANGUAGE sql AS $$ SELECT public.mark()::text::json $$;
            CREATE CAST (mood AS json) WITH FUNCTION public.mood_json(mood);
            CREATE CAST (mood AS jsonb) WITH FUNCTION pg_catalog.to_jsonb(anyelement);
            -- A type named like a keyword, and one named like an allowed function (a call can be a cast).
            CREATE TYPE public."real" AS (a marked);
            CREATE DOMAIN public.upper AS marked[];
            CREATE TABLE feelings (m mood);
            INSERT INTO feelings VALUES ('ok');

            -- What the planner evaluates for a table read: an immutable user function in index expressions and
            -- predicates, CHECK constraints of inheriting tables, extended statistics, partition keys, and a
            -- range type's subtype_diff (selectivity).
            CREATE FUNCTION public.imm(text) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
                BEGIN PERFORM public.mark(); RETURN 1; END $$;
            CREATE TABLE ix (id int); CREATE INDEX ON ix ((id + public.imm('i')));
            CREATE TABLE ip (id int); CREATE INDEX ON ip (id) WHERE public.imm('p') = 1;
            CREATE TABLE par (id int); CREATE TABLE chi (CHECK (public.imm('c') = 1 AND id > 0)) INHERITS (par);
            CREATE TABLE st (id int, v int); CREATE STATISTICS st_x ON (id + public.imm('s')), v FROM st;
            CREATE TABLE pk (id int) PARTITION BY LIST ((id + public.imm('k')));
            CREATE TABLE pk1 PARTITION OF pk FOR VALUES IN (2);
            CREATE VIEW pkv AS SELECT * FROM pk;
            CREATE FUNCTION public.rdiff(int4, int4) RETURNS float8 LANGUAGE plpgsql IMMUTABLE AS $$
                BEGIN PERFORM public.mark(); RETURN $1 - $2; END $$;
            CREATE TYPE lowrange AS RANGE (subtype = int4, subtype_diff = public.rdiff);
            CREATE TABLE rt (id int, r lowrange);
            INSERT INTO rt SELECT g, int4range(g, g + 10)::text::lowrange FROM generate_series(1, 100) AS g;
            CREATE VIEW rtv AS SELECT id FROM rt WHERE r @> 50;

            -- Foreign tables, also reached as an inheriting table or through a view: reading one connects out.
            CREATE EXTENSION IF NOT EXISTS postgres_fdw;
            CREATE SERVER elsewhere FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname 'nowhere');
            CREATE FOREIGN TABLE ft (a int) SERVER elsewhere;
            CREATE TABLE fpar (a int);
            CREATE FOREIGN TABLE ftchild () INHERITS (fpar) SERVER elsewhere;
            CREATE VIEW ftv WITH (security_invoker = true) AS SELECT a FROM ft;
            """)
        // Setting up (the range's values) may have run the marker already: only the tool's calls count.
        try? FileManager.default.removeItem(atPath: marker)
    }

    private func run(_ query: String, settings: ToolSettings = ToolSettings()) -> ToolResult {
        RunSQLTool().execute(.object(["query": .string(query)]), context: database.context(settings))
    }

    private var markerWritten: Bool { FileManager.default.fileExists(atPath: marker) }

    @Test("SQL the parse tree allows is refused on what the server resolved, and nothing of it runs", arguments: [
        "SELECT lower(1)",
        "SELECT x.side FROM items x",
        "SELECT (x).side FROM items x",
        "SELECT 1 WHERE 1 === ANY (SELECT 1)",
        "SELECT 1 WHERE 1 === 2",
        "SELECT 'x'::marked",
        "SELECT CAST('x' AS marked)",
        "SELECT t.a FROM jsonb_to_record('{\"a\": \"x\"}') AS t(a marked)",
        "SELECT ROW('x')::holder",
        "SELECT '(x)'::\"real\" AS r",
        "SELECT upper('{x}') AS u",
        "SELECT 'ok'::mood::jsonb AS j",
        "SELECT 1 === '(x)'",
        "SELECT id FROM boxes WHERE tags = '{x}'",
        "SELECT coalesce(pair, '(x)') FROM boxes",
        "SELECT to_json(f) FROM feelings f",
        "SELECT json_agg(f.m) FROM feelings f",
        "SELECT jsonb_build_object('m', 'ok'::mood)",
        "SELECT '(x)'::holder",
        "SELECT ARRAY['x']::marked[]",
        "SELECT '{x}'::marked[]",
        "SELECT '{\"(x)\"}'::holder[]",
        "SELECT 'x'::sleepy",
        "SELECT * FROM calls_user",
        "SELECT id FROM calls_user",
        "SELECT count(*) FROM calls_builtin",
        "SELECT l FROM calls_builtin",
        "SELECT 1 FROM items WHERE id IN (SELECT id FROM calls_user)",
        "EXPLAIN SELECT lower(1)",
        "SELECT * FROM ix WHERE id = 1",
        "SELECT * FROM ip WHERE id = 1",
        "SELECT * FROM par WHERE id = 1",
        "SELECT * FROM st WHERE id = 1",
        "SELECT * FROM pkv WHERE id = 1",
        "SELECT count(*) FROM rtv",
        "SELECT * FROM ft",
        "SELECT * FROM fpar",
        "SELECT * FROM ftv",
    ])
    func probeAlone(query: String) throws {
        // The parse tree alone lets it through: only the probe stands in the way.
        let verdict = ReadOnlyGuard().check(query)
        #expect(verdict.refusal == nil, "the guard already refuses \(query): \(verdict)")
        let result = run(query)
        #expect(result.error?.code == .sqlNotReadOnly, "\(query) → \(result.json.serialized())")
        #expect(!markerWritten, "a user function ran for \(query)")
        #expect(try database.scalar("""
            SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """) == "0", "an advisory lock the query took is still held (only this database counts: other tests share the server)")
    }

    @Test("what only reads keeps working through the probe: a plain view, built-in casts and operators, EXPLAIN")
    func allowedThroughProbe() throws {
        let view = run("SELECT p.name FROM plain p WHERE p.id IN (SELECT 1) ORDER BY 1")
        #expect(view.data?["rows"] == .array([.object(["name": .string("alpha")])]), "\(view.json.serialized())")
        let casts = run("SELECT 'abc'::text AS t, lower('ABC') AS l, CASE 1 WHEN 1 THEN 'one' END AS c, 2 BETWEEN 1 AND 3 AS b")
        #expect(casts.data?["rows"]?.arrayValue?.first?["l"] == .string("abc"), "\(casts.json.serialized())")
        let plan = run("EXPLAIN (COSTS off) SELECT name FROM items WHERE id = 1")
        let lines = plan.data?["rows"]?.arrayValue?.compactMap { $0["QUERY PLAN"]?.stringValue } ?? []
        #expect(lines.joined(separator: "\n").contains("items"), "\(plan.json.serialized())")
        #expect(!markerWritten)
    }

    @Test("the tool's own SQL cannot be taken over by user functions that match better or sit earlier in search_path")
    func ownStatementsQualified() throws {
        try database.execute("""
            CREATE FUNCTION public.format_type(o oid, t text) RETURNS text LANGUAGE sql AS $$ SELECT public.mark()::text $$;
            CREATE FUNCTION public.unnest(a oid[]) RETURNS SETOF oid LANGUAGE sql AS $$ SELECT 0::oid FROM (SELECT public.mark()) AS m $$;
            CREATE FUNCTION public.set_config(text, text, boolean) RETURNS text LANGUAGE sql AS $$ SELECT public.mark()::text $$;
            CREATE FUNCTION public.current_setting(text) RETURNS text LANGUAGE sql AS $$ SELECT public.mark()::text $$;
            """)
        try database.execute("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET search_path = public, pg_catalog', current_database()); END $$")
        let typed = run("SELECT 'pg_class'::regclass AS x, '{}'::aclitem[] AS acl")
        #expect(typed.data?["columns"]?.arrayValue?.first?["type"] == .string("regclass"), "\(typed.json.serialized())")
        #expect(run("SHOW timezone").isSuccess)
        #expect(run("SELECT id FROM items ORDER BY id").data?["rowCount"] == .number(2))
        #expect(!markerWritten, "a user function took over one of the tool's own statements")
    }

    @Test("a query the server computes past its timeout without checking for cancellation still ends on time")
    func hardDeadline() throws {
        var settings = ToolSettings()
        settings.statementTimeoutMilliseconds = 1_000
        // md5 over huge values in one expression: no cancellation check until it is done (seconds).
        let hashes = Array(repeating: "md5(s)", count: 12).joined(separator: " || ")
        let start = Date()
        let result = run("WITH b AS MATERIALIZED (SELECT repeat(repeat('x', 10000), 30000) AS s) SELECT length(\(hashes)) AS n FROM b",
                         settings: settings)
        let seconds = Date().timeIntervalSince(start)
        #expect(result.error?.code == .sqlTimeout, "\(result.json.serialized().prefix(300))")
        #expect(seconds < 2.5, "the call took \(seconds) s with a 1 s timeout")
        // The pool gave up that connection: the next call works.
        #expect(run("SELECT 1 AS one").isSuccess)
    }

    @Test("a view applies its tables' row-security policies as its owner: they are checked even when the login bypasses them")
    func policiesThroughViewOwner() throws {
        let owner = "pgassist_rls_owner_\(UUID().uuidString.prefix(8).lowercased())"
        try database.execute("""
            CREATE ROLE \(owner) NOLOGIN;
            CREATE FUNCTION public.policy_mark() RETURNS boolean LANGUAGE sql AS $$ SELECT public.mark() $$;
            CREATE TABLE public.guarded (id int);
            INSERT INTO public.guarded VALUES (1);
            ALTER TABLE public.guarded OWNER TO \(owner);
            ALTER TABLE public.guarded ENABLE ROW LEVEL SECURITY;
            ALTER TABLE public.guarded FORCE ROW LEVEL SECURITY;
            CREATE POLICY p ON public.guarded FOR SELECT USING (public.policy_mark());
            CREATE VIEW public.guarded_view AS SELECT id FROM public.guarded;
            ALTER VIEW public.guarded_view OWNER TO \(owner);
            """)
        // The login is a superuser: row security is not active for it, but it is for the view's owner.
        let result = run("SELECT * FROM guarded_view")
        #expect(result.error?.code == .sqlNotReadOnly, "\(result.json.serialized())")
        #expect(!markerWritten, "the policy's function ran through the view")
    }

    @Test("a query longer than 100 KiB is refused before anything is parsed")
    func longQuery() {
        let query = "SELECT 1 AS one -- " + String(repeating: "x", count: 150 * 1024)
        let result = run(query)
        #expect(result.error?.code == .invalidArguments, "\(result.json.serialized().prefix(200))")
    }

    @Test("an error keeps its SQLSTATE and message, cut short on the server when it quotes a huge value")
    func errorsCutShort() throws {
        let plain = run("SELECT 1 / 0 AS n")
        #expect(plain.error?.code == .sqlError)
        #expect(plain.error?.message == "division by zero", "\(plain.json.serialized())")
        let huge = run("SELECT repeat('x', 5000000)::int AS n")
        #expect(huge.error?.code == .sqlError, "\(huge.json.serialized().prefix(300))")
        #expect(huge.error?.message.contains("invalid input syntax for type integer") == true)
        #expect((huge.error?.message.count ?? .max) < 2_100, "\(huge.error?.message.count ?? 0) characters")
    }

    @Test("with a separate read-only login PostgreSQL itself refuses what a guard could miss")
    func separateLogin() throws {
        let reader = "pgassist_reader_\(UUID().uuidString.prefix(8).lowercased())"
        try database.execute("""
            CREATE ROLE \(reader) LOGIN PASSWORD 'reader-secret';
            GRANT SELECT ON items TO \(reader);
            """)
        var settings = ToolSettings()
        settings.readOnlyConnection = "user=\(reader) password=reader-secret"
        let who = run("SELECT current_user AS u, session_user AS s", settings: settings)
        #expect(who.data?["rows"] == .array([.object(["u": .string(reader), "s": .string(reader)])]), "\(who.json.serialized())")
        #expect(run("SELECT count(*) FROM items", settings: settings).isSuccess)
        // Below the guard (the read-only transaction and the login alone), the server refuses what the
        // login may not do, and there is no more privileged user to go back to.
        let access = try database.context(settings).requireDatabase().readingLogin()
        for sql in ["SELECT pg_read_file('/etc/hostname')", "SELECT set_config('role', 'postgres', true)",
                    "SELECT pg_terminate_backend(\(database.connection.backendProcessID))", "SELECT rolpassword FROM pg_authid",
                    "SELECT lo_export(0, '/tmp/pgassist-never')"] {
            let lower = Result { () throws(ToolError) in
                try ReadOnlyExecution.run(sql, kind: nil, maxRows: 10, database: access, role: nil)
            }
            guard case .failure(let error) = lower else {
                Issue.record("the login ran \(sql)")
                continue
            }
            #expect([.permissionDenied, .sqlError].contains(error.code), "\(sql) → \(error)")
        }
        // The login's password is not the target's and never shows in an answer.
        #expect(!who.json.serialized().contains("reader-secret"))
    }

    @Test("the whole call, every fetch included, ends within the statement timeout plus a second")
    func oneDeadline() throws {
        try database.execute("""
            CREATE FUNCTION public.slow_row() RETURNS int LANGUAGE sql AS $$ SELECT 1 FROM pg_sleep(0.18) $$;
            """)
        var settings = ToolSettings()
        settings.statementTimeoutMilliseconds = 2_000
        settings.allowUserFunctions = true
        // Fetches of 1, 10 and 100 rows: the first two fit a per-statement timeout, the third would use a
        // whole new one.
        let start = Date()
        let result = run("SELECT g, public.slow_row() FROM generate_series(1, 200) AS g", settings: settings)
        let seconds = Date().timeIntervalSince(start)
        #expect(result.error?.code == .sqlTimeout, "\(result.json.serialized().prefix(300))")
        #expect(seconds < 3.0, "the call took \(seconds) s with a 2 s timeout")
    }
}
