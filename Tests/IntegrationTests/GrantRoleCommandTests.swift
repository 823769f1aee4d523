import JSON
import Postgres
import TestSupport
import Testing

/// `pgassist grant-role`, as users run it: real binary, a fresh database on the test server, the login it makes
/// checked with libpq directly (PostgreSQL itself refuses the secret column) and through `pgassist tool run_sql`.
@Suite("pgassist grant-role")
struct GrantRoleCommandTests {
    /// A fresh database with an ordinary table, a table with a `password` column, a view reading that column,
    /// an ordinary view and a user function; returns its URL and a role name unique to the test.
    private func fixture() throws -> (database: String, role: String) {
        let database = try PostgresServer.shared().createDatabase(prefix: "grant")
        try PostgresConnection(connectionString: database).execute("""
            CREATE TABLE public.orders (id int PRIMARY KEY, total int);
            INSERT INTO public.orders VALUES (1, 42), (2, 7);
            CREATE TABLE public.accounts (id int PRIMARY KEY, email text, password text);
            INSERT INTO public.accounts VALUES (1, 'ada@example.com', 'hunter2');
            CREATE VIEW public.account_passwords AS SELECT id, password FROM public.accounts;
            CREATE VIEW public.order_totals AS SELECT id, total FROM public.orders;
            CREATE FUNCTION public.answer() RETURNS int LANGUAGE sql AS 'SELECT 42';
            """)
        return (database, "reader_\(UInt32.random(in: 0...UInt32.max))")
    }

    private func grantRole(_ arguments: [String], extra: [String: String] = [:]) throws -> (status: Int32, json: JSONValue?, output: String, errors: String) {
        let environment = ["PATH": "/usr/bin:/bin"].merging(extra) { $1 }
        let result = try Command.run([TestEnvironment.pgassistBinary, "grant-role"] + arguments, environment: environment)
        return (result.status, try? JSONValue.parse(result.output), result.output, result.errorOutput)
    }

    /// The role's privileges on the database's relations and columns, as the catalogs hold them.
    private func grants(_ role: String, database: String) throws -> [String] {
        let result = try PostgresConnection(connectionString: database).query("""
            SELECT c.relname || ':' || pg_catalog.has_table_privilege($1, c.oid, 'SELECT')::text
            FROM pg_catalog.pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v')
            UNION ALL
            SELECT c.relname || '.' || a.attname || ':' || pg_catalog.has_column_privilege($1, c.oid, a.attnum, 'SELECT')::text
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v')
            ORDER BY 1
            """, [role])
        return (0..<result.count).compactMap { result.string($0, 0) }
    }

    @Test("--print prints quoted SQL and changes nothing")
    func printOnly() throws {
        let (database, role) = try fixture()
        let printed = try grantRole(["--db", database, "--role", role, "--login", "--print"])
        #expect(printed.status == 0, "\(printed.errors)")
        #expect(printed.output.contains("CREATE ROLE \"\(role)\" NOLOGIN;"))
        #expect(printed.output.contains("GRANT SELECT (\"id\", \"email\") ON TABLE \"public\".\"accounts\" TO \"\(role)\";"))
        #expect(printed.output.contains("GRANT SELECT ON TABLE \"public\".\"orders\" TO \"\(role)\";"))
        #expect(printed.output.contains("not granted (reads secret columns as its owner): public.account_passwords"))
        #expect(!printed.output.contains("PASSWORD"))
        let connection = try PostgresConnection(connectionString: database)
        #expect(try connection.query("SELECT count(*) FROM pg_catalog.pg_roles WHERE rolname = $1", [role]).int(0, 0) == 0)
        #expect(try connection.query("SELECT count(*) FROM pg_catalog.pg_default_acl").int(0, 0) == 0)
    }

    @Test("without --login: the role is made, granted to the connecting user, and a second run leaves the same grants")
    func idempotent() throws {
        let (database, role) = try fixture()
        let first = try grantRole(["--db", database, "--role", role])
        #expect(first.status == 0, "\(first.output)\(first.errors)")
        let before = try grants(role, database: database)
        #expect(before.contains("orders:true") && before.contains("order_totals:true"), "\(before)")
        #expect(before.contains("accounts.email:true") && before.contains("accounts.password:false"), "\(before)")
        #expect(before.contains("account_passwords:false") && before.contains("account_passwords.id:false"), "\(before)")
        let summary = try #require(first.json)
        #expect(summary["viewsNotGranted"] == .array([.string("public.account_passwords")]))
        #expect(summary["columnsWithheld"]?.arrayValue?.first?["columns"] == .array([.string("password")]))
        #expect(summary["publicFunctions"]?.arrayValue?.first?["function"] == .string("public.answer()"))
        #expect(summary["connectionString"] == nil)
        let connection = try PostgresConnection(connectionString: database)
        #expect(try connection.query("""
            SELECT count(*) FROM pg_catalog.pg_auth_members m WHERE m.roleid = $1::regrole AND m.member = CURRENT_USER::regrole
            """, [role]).int(0, 0) == 1)
        #expect(try connection.query("SELECT rolcanlogin FROM pg_catalog.pg_roles WHERE rolname = $1", [role]).bool(0, 0) == false)
        let second = try grantRole(["--db", database, "--role", role])
        #expect(second.status == 0, "\(second.errors)")
        #expect(second.json == first.json)
        #expect(try grants(role, database: database) == before)
    }

    @Test("--login: PostgreSQL itself refuses the password column to the printed login; run_sql reads user tables with it")
    func login() throws {
        let (database, role) = try fixture()
        let first = try grantRole(["--db", database, "--role", role, "--login"])
        #expect(first.status == 0, "\(first.errors)")
        let again = try grantRole(["--db", database, "--role", role, "--login"])
        #expect(again.status == 0, "\(again.errors)")
        let login = try #require(again.json?["connectionString"]?.stringValue)
        #expect(login.contains("user='\(role)'"))
        #expect(!first.errors.contains("password") && !again.errors.contains(login))
        #expect(try grants(role, database: database).contains("accounts.password:false"))

        // Directly with libpq, no pgassist in the way: the role, not a guard, refuses the secret column.
        let reader = try PostgresConnection(connectionString: login)
        #expect(try reader.query("SELECT current_user").string(0, 0) == role)
        #expect(try reader.query("SELECT sum(total) FROM public.orders").int(0, 0) == 49)
        #expect(try reader.query("SELECT email FROM public.accounts").string(0, 0) == "ada@example.com")
        for secret in ["SELECT password FROM public.accounts", "SELECT * FROM public.accounts",
                       "SELECT * FROM public.account_passwords", "SELECT count(*) FROM public.accounts WHERE password = 'x'"] {
            do {
                _ = try reader.query(secret)
                Issue.record("\(secret) was allowed")
            } catch {
                #expect(error.sqlState == "42501", "\(secret): \(error.debugDescription)")
            }
        }

        // run_sql with the login as SQL_READ_ONLY_CONNECTION and pgassist's own name list emptied.
        let environment = ["PATH": "/usr/bin:/bin", "USER": "cli-tester", "SQL_READ_ONLY_CONNECTION": login,
                           "SENSITIVE_COLUMN_NAMES": ""]
        func runSQL(_ query: String) throws -> (status: Int32, json: JSONValue?) {
            let arguments = JSONValue.object(["query": .string(query)]).serialized()
            let result = try Command.run([TestEnvironment.pgassistBinary, "tool", "run_sql", "--db", database, "--args", arguments],
                                         environment: environment)
            return (result.status, try? JSONValue.parse(result.output))
        }
        let read = try runSQL("SELECT current_user AS who, (SELECT sum(total) FROM public.orders) AS total")
        #expect(read.status == 0, "\(String(describing: read.json))")
        #expect(read.json?["rows"]?.arrayValue?.first?["who"] == .string(role))
        let refused = try runSQL("SELECT password FROM public.accounts")
        #expect(refused.status == 1)
        #expect(refused.json?.serialized().contains("permission denied") == true, "\(String(describing: refused.json))")
        #expect(refused.json?.serialized().contains("hunter2") == false)
    }

    @Test("bad usage exits 2; an unknown schema or --bypass-rls a non-superuser cannot give exits 1 with a message")
    func failures() throws {
        #expect(try grantRole([]).status == 2)
        let (database, role) = try fixture()
        let unknown = try grantRole(["--db", database, "--role", role, "--schemas", "nowhere"])
        #expect(unknown.status == 1)
        #expect(unknown.errors.contains("\"nowhere\" does not exist"), "\(unknown.errors)")
        let platform = try grantRole(["--db", database, "--role", role, "--schemas", "pgassist_trash"])
        #expect(platform.status == 1)
    }
}
