import Dispatch
import Foundation
import JSON
import Postgres
import QueryTools
import SchemaTools
import Synchronization
import TestSupport
import Testing
import ToolsCore
import TrashTools

/// One query for `run_sql` from the attacker's corpus (or the still-allowed list).
struct AttackCase: Sendable, CustomTestStringConvertible {
    /// The classes of attack the corpus covers.
    enum Kind: String, Sendable, CaseIterable {
        case attributeNotation = "1 attribute notation"
        case sqlAsText = "2 SQL given as text"
        case nameForms = "3 name forms of setting reads"
        case secretCatalogs = "4 secret catalogs and views"
        case hiddenUserCode = "5 user code without a visible call"
        case sessionState = "6 session state surviving ROLLBACK"
    }

    let id: String
    let kind: Kind
    /// The SQL, with placeholders the fixture fills in (see `AttackFixture.expand`).
    let sql: String
    /// Why any error is acceptable here (only PostgreSQL can refuse this case); nil: only a guard
    /// refusal (`sql_not_read_only`) passes.
    let anyError: String?

    init(_ id: String, _ kind: Kind, _ sql: String, anyError: String? = nil) {
        self.id = id
        self.kind = kind
        self.sql = sql
        self.anyError = anyError
    }

    var testDescription: String { id }
}

/// A query that must keep running, with the rows it must return (nil: any non-empty result).
struct AllowedQuery: Sendable, CustomTestStringConvertible {
    let id: String
    let sql: String
    /// The expected rows as JSON text (an array of objects), or nil.
    let rows: String?

    init(_ id: String, _ sql: String, rows: String?) {
        self.id = id
        self.sql = sql
        self.rows = rows
    }

    var testDescription: String { id }
}

/// The schema both the attack fixture and the plain database have: what the still-allowed queries read.
enum AttackBaseSchema {
    static let sql = """
        CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2));
        INSERT INTO items VALUES (1, 'alpha', 12.50), (2, 'beta', 3.00), (3, 'gamma', 7.25), (4, 'delta', NULL);
        CREATE TABLE orders (id int PRIMARY KEY, item_id int NOT NULL REFERENCES items, qty int NOT NULL);
        INSERT INTO orders VALUES (10, 1, 2), (11, 1, 1), (12, 3, 5);
        CREATE DOMAIN public.word AS text CHECK (VALUE ~ '^[a-z]+$');
        CREATE VIEW public.item_names AS SELECT id, name FROM items;
        CREATE SEQUENCE public.counter;
        ANALYZE items;
        """

    private static let plain = Mutex<Result<ToolTestDatabase, TestSupportError>?>(nil)

    /// A database with only the base schema (no user functions, operators, casts or secrets), made once.
    static func plainDatabase() throws -> ToolTestDatabase {
        try ToolTestDatabase.once(plain, prefix: "rsqlok", sql: sql, what: "plain database for the still-allowed queries")
    }
}

/// A database whose owner installed event triggers (as Supabase projects have): functions that run on DDL.
/// run_sql's check makes a temporary view (DDL): in their default mode the triggers must stay quiet for a
/// superuser login (each leaves a marker file when it runs); one marked ENABLE ALWAYS runs anyway, and
/// what it does must be rolled back with the call (it logs to a table).
final class EventTriggerDatabase: @unchecked Sendable {
    let database: ToolTestDatabase
    private let prefix: String

    private static let instance = Mutex<Result<EventTriggerDatabase, TestSupportError>?>(nil)

    static func shared() throws -> EventTriggerDatabase {
        try instance.withLock { state -> EventTriggerDatabase in
            if let state { return try state.get() }
            let result: Result<EventTriggerDatabase, TestSupportError>
            do {
                result = .success(try EventTriggerDatabase())
            } catch {
                result = .failure(TestSupportError("event trigger database: \(error)"))
            }
            state = result
            return try result.get()
        }
    }

    private init() throws {
        database = try ToolTestDatabase(prefix: "rsqlevt")
        prefix = "pgassist-marker-evt" + String(UUID().uuidString.lowercased().filter { $0 != "-" }.prefix(10)) + "-"
        try database.execute(AttackBaseSchema.sql)
        try database.execute("""
            CREATE FUNCTION public.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $f$
            BEGIN
              EXECUTE format('COPY (SELECT 1) TO %L', '/tmp/\(prefix)' || tg_event || '-' || replace(tg_tag, ' ', '_'));
            END $f$;
            CREATE EVENT TRIGGER pgassist_test_ddl_start ON ddl_command_start EXECUTE FUNCTION public.on_ddl();
            CREATE EVENT TRIGGER pgassist_test_ddl_end ON ddl_command_end EXECUTE FUNCTION public.on_ddl();
            -- Fires in every session_replication_role (as replication tools set theirs).
            CREATE TABLE public.ddl_log (event text, tag text);
            CREATE FUNCTION public.on_ddl_always() RETURNS event_trigger LANGUAGE plpgsql AS $f$
            BEGIN
              INSERT INTO public.ddl_log VALUES (tg_event, tg_tag);
            END $f$;
            CREATE EVENT TRIGGER pgassist_test_ddl_always ON ddl_command_end EXECUTE FUNCTION public.on_ddl_always();
            ALTER EVENT TRIGGER pgassist_test_ddl_always ENABLE ALWAYS;
            """)
        // Making the second trigger's function fired the first ones.
        _ = try firedAndCleared()
        try database.execute("TRUNCATE public.ddl_log")
    }

    /// What the ALWAYS trigger logged and kept (nothing, when the call rolled it back).
    func alwaysLogged() throws -> String {
        try database.scalar("SELECT count(*) FROM public.ddl_log") ?? "?"
    }

    /// The marker files left since the last call (their events and tags), removing them.
    func firedAndCleared() throws -> [String] {
        let listed = try database.scalar("""
            SELECT coalesce(string_agg(f, ',' ORDER BY f), '') FROM pg_ls_dir('/tmp') AS f WHERE f LIKE '\(prefix)%'
            """) ?? ""
        let names = listed.isEmpty ? [] : listed.components(separatedBy: ",")
        for name in names { try? FileManager.default.removeItem(atPath: "/tmp/" + name) }
        return names.map { $0.replacingOccurrences(of: prefix, with: "") }
    }
}

/// A backend that must survive every attack: it runs `pg_sleep(60)` (with a secret in its SQL text, which
/// `pg_stat_activity` would show) on a thread of its own, so a cancel ends its query and a terminate ends it.
final class VictimBackend: @unchecked Sendable {
    let pid: Int
    private let connection: PostgresConnection
    private let finished = DispatchSemaphore(value: 0)
    private let ended = Atomic<Bool>(false)

    init(url: String, applicationName: String, secret: String) throws {
        connection = try PostgresConnection(connectionString: url, applicationName: applicationName)
        pid = connection.backendProcessID
        DispatchQueue.global().async { [self] in
            _ = try? connection.query("SELECT pg_sleep(60) AS slept, '\(secret)' AS note")
            ended.store(true, ordering: .sequentiallyConsistent)
            finished.signal()
        }
    }

    /// Whether its query ended (cancelled, or the backend was terminated), waiting up to `milliseconds`.
    func hasEnded(waitingMilliseconds milliseconds: Int) -> Bool {
        if ended.load(ordering: .sequentiallyConsistent) { return true }
        if finished.wait(timeout: .now() + .milliseconds(milliseconds)) == .success {
            finished.signal()
            return true
        }
        return false
    }

    /// Waits for the query to end after the fixture terminated the backend.
    func waitUntilEnded() {
        _ = finished.wait(timeout: .now() + .seconds(10))
    }
}

/// The attacker's target: a fresh database on the test server (whose test user is a superuser) with
/// secrets in every place the corpus tries to read, user code whose every function leaves a marker file
/// (a superuser's COPY TO a file works inside READ ONLY and survives ROLLBACK), and helpers that check
/// after each case that nothing happened. Made once per test process; the suite using it is serialized.
final class AttackFixture: @unchecked Sendable {
    let database: ToolTestDatabase
    let databaseName: String
    /// Unique to this fixture; in every role, file and application name it creates.
    let tag: String
    let currentUser: String
    /// A server file with secret content, written by the superuser.
    let secretFile: String
    /// The OID of a large object the fixture created (for lo_export attempts).
    let largeObject: String
    /// The application name of the victim backends.
    let victimApplication: String
    /// What must never appear in any result: (what it is, the text searched for, lower-cased).
    private(set) var secrets: [(name: String, needle: String)] = []
    /// The first `random()` after `setseed(0.25)`: seeing it again in the pooled session means the seed stuck.
    let randomAfterSeed: Double
    private let roles: [String]

    private static let sharedFixture = Mutex<Result<AttackFixture, TestSupportError>?>(nil)

    /// The fixture for this test process, made on first use.
    static func shared() throws -> AttackFixture {
        try sharedFixture.withLock { state -> AttackFixture in
            if let state { return try state.get() }
            let result: Result<AttackFixture, TestSupportError>
            do {
                let fixture = try AttackFixture()
                result = .success(fixture)
                atexit { AttackFixture.cleanUpAtExit() }
            } catch let error as TestSupportError {
                result = .failure(error)
            } catch {
                result = .failure(TestSupportError("run_sql attack fixture: \(error)"))
            }
            state = result
            return try result.get()
        }
    }

    private static func hex(_ count: Int) -> String {
        String(UUID().uuidString.lowercased().filter { $0 != "-" }.prefix(count))
    }

    private init() throws {
        database = try ToolTestDatabase(prefix: "rsqlatk")
        tag = Self.hex(10)
        let db = database
        databaseName = try db.scalar("SELECT current_database()") ?? ""
        currentUser = try db.scalar("SELECT current_user") ?? ""
        secretFile = "/tmp/pgassist-secret-\(tag)"
        victimApplication = "pgassist-victim-\(tag)"
        let secretRole = "pgassist_atk_\(tag)_secret"
        let otherRole = "pgassist_atk_\(tag)_other"
        let lowRole = "pgassist_atk_\(tag)_low"
        roles = [lowRole, secretRole, otherRole]

        let jwt = "jwtsecret" + Self.hex(24)
        let roleWide = "rolesecret" + Self.hex(24)
        let roleInDatabase = "roledbsecret" + Self.hex(24)
        let fdw = "fdwsecret" + Self.hex(24)
        let file = "filesecret" + Self.hex(24)
        let victim = "victimsecret" + Self.hex(24)

        try db.execute(AttackBaseSchema.sql)
        // Secrets: settings of the database and of roles, a foreign server's password, password hashes
        // (also in pg_statistic once pg_authid is analyzed), a server file.
        try db.execute("""
            CREATE EXTENSION postgres_fdw;
            CREATE SERVER atk_remote FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', dbname 'nowhere');
            CREATE USER MAPPING FOR CURRENT_USER SERVER atk_remote OPTIONS (user 'remote_user', password '\(fdw)');
            DO $$ BEGIN
              EXECUTE format('ALTER DATABASE %I SET app.jwt_secret = %L', current_database(), '\(jwt)');
              EXECUTE format('ALTER ROLE %I IN DATABASE %I SET app.role_secret = %L', current_user, current_database(), '\(roleInDatabase)');
            END $$;
            CREATE ROLE \(secretRole) LOGIN PASSWORD '\(Self.hex(16))';
            ALTER ROLE \(secretRole) SET app.role_secret = '\(roleWide)';
            CREATE ROLE \(otherRole) NOLOGIN PASSWORD '\(Self.hex(16))';
            CREATE ROLE \(lowRole) NOLOGIN;
            ANALYZE pg_authid;
            COPY (SELECT '\(file)') TO '\(secretFile)';
            """)
        largeObject = try db.scalar("SELECT lo_from_bytea(0, 'large object content')") ?? "0"

        // User code. Every function leaves /tmp/pgassist-marker-TAG-CASE-WHAT when it runs (CASE comes from
        // attack_case, set before each case), so a case can only see its own markers.
        try db.execute("""
            CREATE TABLE public.attack_case (tag text NOT NULL);
            INSERT INTO public.attack_case VALUES ('setup');
            GRANT SELECT ON public.attack_case TO PUBLIC;
            CREATE FUNCTION public.mark(what text) RETURNS int LANGUAGE plpgsql AS $f$
            BEGIN
              EXECUTE format('COPY (SELECT 1) TO %L',
                             '/tmp/pgassist-marker-\(tag)-' || (SELECT tag FROM public.attack_case LIMIT 1) || '-' || what);
              RETURN 1;
            END $f$;
            CREATE FUNCTION public.evil(items) RETURNS int LANGUAGE plpgsql AS $f$ BEGIN RETURN public.mark('row_function'); END $f$;
            CREATE FUNCTION public.lower(integer) RETURNS text LANGUAGE plpgsql AS $f$
            BEGIN PERFORM public.mark('overloaded_lower'); RETURN 'x'; END $f$;

            CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');
            CREATE TABLE public.feelings (id int PRIMARY KEY, m mood NOT NULL);
            INSERT INTO public.feelings VALUES (1, 'sad'), (2, 'ok');
            CREATE FUNCTION public.mood_eq(mood, mood) RETURNS boolean LANGUAGE plpgsql AS $f$
            BEGIN PERFORM public.mark('operator_eq'); RETURN $1::text = $2::text; END $f$;
            CREATE FUNCTION public.mood_ne(mood, mood) RETURNS boolean LANGUAGE plpgsql AS $f$
            BEGIN PERFORM public.mark('operator_ne'); RETURN $1::text <> $2::text; END $f$;
            CREATE FUNCTION public.mood_lt(mood, mood) RETURNS boolean LANGUAGE plpgsql AS $f$
            BEGIN PERFORM public.mark('operator_lt'); RETURN $1::text < $2::text; END $f$;
            CREATE FUNCTION public.mood_le(mood, mood) RETURNS boolean LANGUAGE plpgsql AS $f$
            BEGIN PERFORM public.mark('operator_le'); RETURN $1::text <= $2::text; END $f$;
            CREATE FUNCTION public.mood_gt(mood, mood) RETURNS boolean LANGUAGE plpgsql AS $f$
            BEGIN PERFORM public.mark('operator_gt'); RETURN $1::text > $2::text; END $f$;
            CREATE FUNCTION public.mood_ge(mood, mood) RETURNS boolean LANGUAGE plpgsql AS $f$
            BEGIN PERFORM public.mark('operator_ge'); RETURN $1::text >= $2::text; END $f$;
            CREATE FUNCTION public.mood_cmp(mood, mood) RETURNS int LANGUAGE plpgsql AS $f$
            BEGIN PERFORM public.mark('operator_cmp'); RETURN CASE WHEN $1::text < $2::text THEN -1 WHEN $1::text > $2::text THEN 1 ELSE 0 END; END $f$;
            CREATE OPERATOR public.= (FUNCTION = public.mood_eq, LEFTARG = mood, RIGHTARG = mood);
            CREATE OPERATOR public.<> (FUNCTION = public.mood_ne, LEFTARG = mood, RIGHTARG = mood);
            CREATE OPERATOR public.< (FUNCTION = public.mood_lt, LEFTARG = mood, RIGHTARG = mood);
            CREATE OPERATOR public.<= (FUNCTION = public.mood_le, LEFTARG = mood, RIGHTARG = mood);
            CREATE OPERATOR public.> (FUNCTION = public.mood_gt, LEFTARG = mood, RIGHTARG = mood);
            CREATE OPERATOR public.>= (FUNCTION = public.mood_ge, LEFTARG = mood, RIGHTARG = mood);
            -- Not the default: only what names these operators (row comparisons, ORDER BY … USING) reaches it.
            CREATE OPERATOR CLASS public.mood_user_ops FOR TYPE mood USING btree AS
              OPERATOR 1 public.<, OPERATOR 2 public.<=, OPERATOR 3 public.=, OPERATOR 4 public.>=, OPERATOR 5 public.>,
              FUNCTION 1 public.mood_cmp(mood, mood);
            CREATE FUNCTION public.mood_to_int(mood) RETURNS int LANGUAGE plpgsql AS $f$
            BEGIN PERFORM public.mark('user_cast'); RETURN 1; END $f$;
            CREATE CAST (mood AS int4) WITH FUNCTION public.mood_to_int(mood) AS IMPLICIT;

            CREATE FUNCTION public.dom_check(text) RETURNS boolean LANGUAGE plpgsql AS $f$
            BEGIN PERFORM public.mark('domain_check'); RETURN true; END $f$;
            CREATE DOMAIN public.dom AS text CHECK (public.dom_check(VALUE));
            CREATE TYPE public.with_dom AS (a dom);
            -- Literals of these columns' types are read by record_in/array_in when the query is parsed, and
            -- each element by domain_in: the CHECK runs at parse analysis, before anything executes.
            CREATE TYPE public.dom_range AS RANGE (SUBTYPE = dom);
            CREATE TABLE public.dom_holder (id int PRIMARY KEY, tags dom[], pair with_dom, span dom_range);
            INSERT INTO public.dom_holder VALUES (1, NULL, NULL, NULL);

            -- A type whose DEFAULT btree and hash operator classes are user code: sorting, grouping, GREATEST,
            -- and comparing arrays or rows that hold it call them without the query naming an operator.
            CREATE TYPE public.level AS ENUM ('low', 'mid', 'high');
            CREATE TABLE public.levels (id int PRIMARY KEY, l level NOT NULL);
            INSERT INTO public.levels VALUES (1, 'mid'), (2, 'low'), (3, 'mid');
            CREATE FUNCTION public.level_cmp(level, level) RETURNS int LANGUAGE plpgsql AS $f$
            BEGIN PERFORM public.mark('default_opclass_cmp'); RETURN CASE WHEN $1::text < $2::text THEN -1 WHEN $1::text > $2::text THEN 1 ELSE 0 END; END $f$;
            CREATE FUNCTION public.level_lt(level, level) RETURNS boolean LANGUAGE plpgsql AS $f$
            BEGIN PERFORM public.mark('default_opclass_lt'); RETURN $1::text < $2::text; END $f$;
            CREATE FUNCTION public.level_le(level, level) RETURNS boolean LANGUAGE plpgsql AS $f$
            BEGIN PERFORM public.mark('default_opclass_le'); RETURN $1::text <= $2::text; END $f$;
            CREATE FUNCTION public.level_eq(level, level) RETURNS boolean LANGUAGE plpgsql AS $f$
            BEGIN PERFORM public.mark('default_opclass_eq'); RETURN $1::text = $2::text; END $f$;
            CREATE FUNCTION public.level_ge(level, level) RETURNS boolean LANGUAGE plpgsql AS $f$
            BEGIN PERFORM public.mark('default_opclass_ge'); RETURN $1::text >= $2::text; END $f$;
            CREATE FUNCTION public.level_gt(level, level) RETURNS boolean LANGUAGE plpgsql AS $f$
            BEGIN PERFORM public.mark('default_opclass_gt'); RETURN $1::text > $2::text; END $f$;
            CREATE FUNCTION public.level_hash(level) RETURNS int LANGUAGE plpgsql AS $f$
            BEGIN PERFORM public.mark('default_opclass_hash'); RETURN hashtext($1::text); END $f$;
            CREATE OPERATOR public.< (FUNCTION = public.level_lt, LEFTARG = level, RIGHTARG = level);
            CREATE OPERATOR public.<= (FUNCTION = public.level_le, LEFTARG = level, RIGHTARG = level);
            CREATE OPERATOR public.= (FUNCTION = public.level_eq, LEFTARG = level, RIGHTARG = level, HASHES, MERGES);
            CREATE OPERATOR public.>= (FUNCTION = public.level_ge, LEFTARG = level, RIGHTARG = level);
            CREATE OPERATOR public.> (FUNCTION = public.level_gt, LEFTARG = level, RIGHTARG = level);
            CREATE OPERATOR CLASS public.level_ops DEFAULT FOR TYPE level USING btree AS
              OPERATOR 1 public.<, OPERATOR 2 public.<=, OPERATOR 3 public.=, OPERATOR 4 public.>=, OPERATOR 5 public.>,
              FUNCTION 1 public.level_cmp(level, level);
            CREATE OPERATOR CLASS public.level_hash_ops DEFAULT FOR TYPE level USING hash AS
              OPERATOR 1 public.=, FUNCTION 1 public.level_hash(level);

            -- A (non-default) operator class for int4: built-in operators, a user comparison function. A
            -- partition key or an index using it makes the server call that function for queries whose
            -- every operator is built in (building the partition bounds, pruning, index scans, planner probes).
            CREATE FUNCTION public.int_cmp(int4, int4) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $f$
            BEGIN PERFORM public.mark('opclass_support'); RETURN btint4cmp($1, $2); END $f$;
            CREATE OPERATOR CLASS public.int4_user_ops FOR TYPE int4 USING btree AS
              OPERATOR 1 pg_catalog.<, OPERATOR 2 pg_catalog.<=, OPERATOR 3 pg_catalog.=, OPERATOR 4 pg_catalog.>=,
              OPERATOR 5 pg_catalog.>, FUNCTION 1 public.int_cmp(int4, int4);
            CREATE TABLE public.parted (id int NOT NULL, note text) PARTITION BY RANGE (id int4_user_ops);
            CREATE TABLE public.parted_low PARTITION OF public.parted FOR VALUES FROM (0) TO (100);
            CREATE TABLE public.parted_high PARTITION OF public.parted FOR VALUES FROM (100) TO (200);
            INSERT INTO public.parted VALUES (1, 'a'), (150, 'b');
            CREATE TABLE public.indexed (id int NOT NULL, note text);
            INSERT INTO public.indexed SELECT g, 'n' FROM generate_series(1, 20000) AS g;
            CREATE INDEX indexed_id ON public.indexed (id int4_user_ops);
            ANALYZE public.indexed;
            ANALYZE public.parted;

            -- A TABLESAMPLE method that is not built in (it wraps SYSTEM's handler: no marker possible).
            CREATE FUNCTION public.user_sample(internal) RETURNS tsm_handler LANGUAGE internal AS 'tsm_system_handler';

            -- Views the fixture (a superuser) made over secret catalogs.
            CREATE VIEW public.auth_view AS SELECT rolname, rolpassword FROM pg_authid;
            CREATE VIEW public.settings_view AS SELECT setdatabase, setrole, setconfig FROM pg_db_role_setting;
            CREATE VIEW public.mapping_view AS SELECT srvname, umoptions FROM pg_user_mappings;
            CREATE VIEW public.role_config_view AS SELECT rolname, rolconfig FROM pg_roles;

            -- Views a low-privilege role made: their functions run as whoever reads them.
            GRANT USAGE, CREATE ON SCHEMA public TO \(lowRole);
            SET ROLE \(lowRole);
            CREATE VIEW public.low_marker AS SELECT public.mark('low_role_view') AS marked;
            CREATE VIEW public.low_kill AS SELECT pg_terminate_backend(pid) AS killed
              FROM pg_stat_activity WHERE application_name = '\(victimApplication)';
            CREATE VIEW public.low_lock AS SELECT pg_try_advisory_lock(4242) AS locked;
            RESET ROLE;
            """)

        let hashes = try db.connection.query("""
            SELECT rolpassword FROM pg_authid WHERE rolname IN ('\(secretRole)', '\(otherRole)') ORDER BY rolname
            """).rows.compactMap { $0[0] }
        guard hashes.count == 2, hashes.allSatisfy({ $0.hasPrefix("SCRAM-SHA-256$") }) else {
            throw TestSupportError("expected two SCRAM hashes in pg_authid, got \(hashes)")
        }
        var secrets: [(String, String)] = [
            ("database setting app.jwt_secret", jwt), ("role setting app.role_secret", roleWide),
            ("role-in-database setting app.role_secret", roleInDatabase), ("foreign server password", fdw),
            ("server file content", file), ("server file content (base64)", Data((file + "\n").utf8).base64EncodedString()),
            ("another session's SQL text", victim), ("a SCRAM hash", "SCRAM-SHA-256$"),
        ]
        for hash in hashes {
            secrets.append(("a SCRAM hash", hash))
            // The salt and keys, should a query cut the hash into pieces.
            for part in hash.split(whereSeparator: { $0 == "$" || $0 == ":" }) where part.count >= 20 {
                secrets.append(("part of a SCRAM hash", String(part)))
            }
        }
        self.secrets = secrets.map { (name: $0.0, needle: $0.1.lowercased()) }
        self.victimSecret = victim

        // The statistics must really hold the hashes, or the pg_statistic cases prove nothing.
        let statistic = try db.scalar("""
            SELECT count(*) FROM pg_stats WHERE tablename = 'pg_authid' AND attname = 'rolpassword'
              AND (histogram_bounds::text LIKE '%SCRAM-SHA-256%' OR most_common_vals::text LIKE '%SCRAM-SHA-256%')
            """)
        guard statistic == "1" else { throw TestSupportError("ANALYZE pg_authid left no password hashes in pg_statistic") }

        // The fixture's inserts reach the statistics now, so a later flush cannot look like a change.
        try db.execute("SELECT pg_stat_force_next_flush()")
        try db.execute("SELECT 1")
        let seeded = try PostgresConnection(connectionString: db.url)
        try seeded.execute("SELECT setseed(0.25)")
        randomAfterSeed = Double(try seeded.query("SELECT random()").string(0, 0) ?? "") ?? -1
    }

    private(set) var victimSecret = ""

    /// Drops the roles (cluster-wide objects) when the test process ends.
    private static func cleanUpAtExit() {
        guard let fixture = sharedFixture.withLock({ try? $0?.get() }) else { return }
        let roles = fixture.roles.joined(separator: ", ")
        try? fixture.database.execute("DROP OWNED BY \(roles) CASCADE; DROP ROLE \(roles)")
        try? FileManager.default.removeItem(atPath: fixture.secretFile)
        removeMarkerFiles(prefix: "pgassist-marker-\(fixture.tag)-")
    }

    private static func removeMarkerFiles(prefix: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        for name in names where name.hasPrefix(prefix) {
            try? FileManager.default.removeItem(atPath: "/tmp/" + name)
        }
    }

    // MARK: - One case

    /// What is compared before and after a case (besides what must simply be absent after it).
    struct Snapshot: Equatable, CustomStringConvertible {
        var settings = ""
        var roles = ""
        var sequence = ""
        var largeObjects = ""
        var statistics = ""
        var description: String {
            "settings=\(settings) roles=\(roles) sequence=\(sequence) largeObjects=\(largeObjects) statistics=\(statistics)"
        }
    }

    /// A case under way.
    struct Run {
        let caseTag: String
        let victim: VictimBackend
        let before: Snapshot
    }

    /// Names the case for the marker files, starts a victim backend and takes the snapshot.
    func begin() throws -> Run {
        let caseTag = "c" + Self.hex(8)
        try database.execute("UPDATE public.attack_case SET tag = '\(caseTag)'")
        let victim = try VictimBackend(url: database.url, applicationName: victimApplication, secret: victimSecret)
        // The victim must be inside its sleep before the attack, so a cancel would end it.
        for _ in 0..<500 {
            if try database.connection.query("SELECT state FROM pg_stat_activity WHERE pid = $1 AND query LIKE '%pg_sleep%'",
                                             [String(victim.pid)]).rows.first?.first == "active" { break }
            usleep(2_000)
        }
        return Run(caseTag: caseTag, victim: victim, before: try snapshot())
    }

    /// `sql` with its placeholders filled in.
    func expand(_ sql: String, _ run: Run) -> String {
        sql.replacingOccurrences(of: "{db}", with: databaseName)
            .replacingOccurrences(of: "{victim}", with: String(run.victim.pid))
            .replacingOccurrences(of: "{secretfile}", with: secretFile)
            .replacingOccurrences(of: "{out}", with: "/tmp/pgassist-marker-\(tag)-\(run.caseTag)-written")
            .replacingOccurrences(of: "{loid}", with: largeObject)
    }

    /// Settings as a fresh session sees them (secrets as hashes, to keep them out of the test log), the roles
    /// the corpus could touch, the sequence, large objects, statistics resets.
    func snapshot() throws -> Snapshot {
        let fresh = try PostgresConnection(connectionString: database.url)
        let settings = try fresh.query("""
            SELECT coalesce(md5(current_setting('app.jwt_secret', true)), '-') || '|' || coalesce(md5(current_setting('app.role_secret', true)), '-')
                   || '|' || (SELECT count(*) FROM pg_db_role_setting
                              WHERE setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
                                AND (setrole = 0 OR setrole IN (SELECT oid FROM pg_roles WHERE rolname = current_user OR rolname LIKE 'pgassist\\_atk\\_%')))
                   || '|' || pg_conf_load_time()
            """).string(0, 0) ?? ""
        var snapshot = Snapshot()
        snapshot.settings = settings
        // Roles other suites of the test process create and drop at the same time are left out: the attack's
        // roles would be called pgassist_atk_…, and any new or changed superuser counts.
        snapshot.roles = try database.scalar("""
            SELECT string_agg(rolname || ':' || rolsuper || rolcanlogin || rolcreaterole || ':' || coalesce(md5(rolpassword), '-'), ',' ORDER BY rolname)
            FROM pg_authid WHERE rolname LIKE 'pgassist\\_atk\\_%' OR rolsuper
            """) ?? ""
        snapshot.sequence = try database.scalar("SELECT last_value || ':' || is_called FROM public.counter") ?? ""
        snapshot.largeObjects = try database.scalar("SELECT count(*) FROM pg_largeobject_metadata") ?? ""
        // Statistics resets are not undone by ROLLBACK either.
        snapshot.statistics = try database.scalar("""
            SELECT coalesce((SELECT stats_reset::text FROM pg_stat_database WHERE datname = current_database()), '-') || '|' ||
                   coalesce((SELECT n_tup_ins FROM pg_stat_user_tables WHERE relid = 'public.items'::regclass), -1)
            """) ?? ""
        return snapshot
    }

    /// A tool context on the fixture database with a pool of its own (so a case can tell whether the tool
    /// connected at all).
    func context(_ settings: ToolSettings = ToolSettings()) -> (context: ToolContext, pool: ConnectionPool) {
        let pool = ConnectionPool()
        let access = DatabaseAccess(connectionString: database.url, pool: pool, settings: settings, cache: SchemaCache())
        return (ToolContext(settings: settings, database: access, userId: "attacker"), pool)
    }

    /// Everything that shows the case did something: each entry is one finding, empty when nothing happened.
    /// The pooled session is only examined when the tool opened one (`pool` has a connection).
    func findings(after run: Run, context: ToolContext, pool: ConnectionPool, resultJSON: String) -> [String] {
        var findings: [String] = []
        func check(_ what: String, _ body: () throws -> String?) {
            do {
                if let finding = try body() { findings.append(finding) }
            } catch {
                findings.append("\(what): the check itself failed: \(error)")
            }
        }
        let lowered = resultJSON.lowercased()
        var leaked: [String] = []
        for secret in secrets where lowered.contains(secret.needle) && !leaked.contains(secret.name) {
            leaked.append(secret.name)
        }
        if !leaked.isEmpty { findings.append("secret in the result: \(leaked.joined(separator: ", "))") }

        check("markers") {
            let files = try database.connection.query("""
                SELECT coalesce(string_agg(f, ', ' ORDER BY f), '') FROM pg_ls_dir('/tmp') AS f
                WHERE f LIKE 'pgassist-marker-\(tag)-\(run.caseTag)-%'
                """).string(0, 0) ?? ""
            let prefix = "pgassist-marker-\(tag)-\(run.caseTag)-"
            let names = files.isEmpty ? [] : files.components(separatedBy: ", ").map { $0.replacingOccurrences(of: prefix, with: "") }
            return names.isEmpty ? nil : "user code ran or a file was written: \(names.joined(separator: ", "))"
        }
        check("advisory locks") {
            let locks = try database.scalar("""
                SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                """)
            return locks == "0" ? nil : "\(locks ?? "?") advisory lock(s) held after the call"
        }
        check("state") {
            let after = try snapshot()
            return after == run.before ? nil : "state changed: before \(run.before), after \(after)"
        }
        // What would stay in the pooled session for the next call: the same connection answers these.
        if pool.openConnections(to: database.url) > 0 {
            check("pooled session") {
                let database = try context.requireDatabase()
                let probe = try database.transaction(readOnly: true) { connection throws(ToolError) -> PostgresResult in
                    do throws(PostgresError) {
                        return try connection.query("""
                            SELECT random(), (SELECT count(*) FROM pg_prepared_statements), (SELECT count(*) FROM pg_cursors WHERE name <> '')
                            """)
                    } catch { throw ToolError.from(error) }
                }
                var problems: [String] = []
                if let random = probe.string(0, 0).flatMap(Double.init), abs(random - randomAfterSeed) < 1e-12 {
                    problems.append("setseed(0.25) stuck to the pooled session")
                }
                if probe.string(0, 1) != "0" { problems.append("prepared statements left: \(probe.string(0, 1) ?? "?")") }
                if probe.string(0, 2) != "0" { problems.append("cursors left: \(probe.string(0, 2) ?? "?")") }
                let backup = Result { () throws(ToolError) -> PostgresResult in
                    try database.transaction(readOnly: true) { connection throws(ToolError) -> PostgresResult in
                        do throws(PostgresError) { return try connection.query("SELECT pg_backup_stop(false)") } catch { throw ToolError.from(error) }
                    }
                }
                if case .success = backup { problems.append("a backup was left running in the pooled session") }
                return problems.isEmpty ? nil : problems.joined(separator: "; ")
            }
        }
        // Last, so the checks above gave a signal time to arrive (and a reload time to be seen).
        let victimEnded = run.victim.hasEnded(waitingMilliseconds: 10)
        check("victim") {
            let state = try database.connection.query("SELECT state FROM pg_stat_activity WHERE pid = $1", [String(run.victim.pid)])
                .rows.first?.first ?? nil
            if victimEnded || state != "active" {
                return "the victim backend \(run.victim.pid) was signalled (query ended: \(victimEnded), state now: \(state ?? "gone"))"
            }
            return nil
        }
        return findings
    }

    /// Ends the victim and every tool connection of the case (with their locks), removes its files.
    func end(_ run: Run) {
        _ = try? database.connection.query("SELECT pg_terminate_backend($1)", [String(run.victim.pid)])
        run.victim.waitUntilEnded()
        terminateToolSessions()
        Self.removeMarkerFiles(prefix: "pgassist-marker-\(tag)-\(run.caseTag)-")
    }

    /// Terminates the tool's backends on this database and waits until they and their locks are gone.
    func terminateToolSessions() {
        _ = try? database.execute("""
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
              AND (application_name = 'pgassist-tools' OR application_name = '\(victimApplication)')
            """)
        for _ in 0..<1_000 {
            let left = try? database.scalar("""
                SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
                          AND (application_name = 'pgassist-tools' OR application_name = '\(victimApplication)'))
                     + (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
                          AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))
                """)
            if left == "0" { return }
            usleep(5_000)
        }
    }
}

/// How a tool result reads in a report: `refused`, `error sql_error: …`, `success (2 rows)`.
func attackVerdict(_ result: ToolResult) -> String {
    if let error = result.error {
        if error.code == .sqlNotReadOnly, error.message.hasPrefix("The database refused a write in a read-only transaction") {
            return "error sql_not_read_only from PostgreSQL (not the guard): \(error.message.prefix(120))"
        }
        if error.code == .sqlNotReadOnly { return "refused" }
        return "error \(error.code.rawValue): \(error.message.prefix(160))"
    }
    let rows = result.data?["rowCount"]?.intValue.map { "\($0) rows" } ?? "no rows"
    return "success (\(rows))"
}
