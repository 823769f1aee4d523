import JSON
import Platform
import QueryTools
import SchemaTools
import Testing
import ToolsCore

/// One query for the sensitive-column check: refused with `code` naming `names` (in the message and the
/// `column` detail), or allowed.
struct SensitiveCase: CustomTestStringConvertible, Sendable {
    let label: String
    let sql: String
    let code: String?
    let names: String?
    var testDescription: String { label }

    static func refused(_ label: String, _ sql: String, _ names: String = "encrypted_password",
                        code: String = "sensitive_column") -> SensitiveCase {
        SensitiveCase(label: label, sql: sql, code: code, names: names)
    }

    static func allowed(_ label: String, _ sql: String) -> SensitiveCase {
        SensitiveCase(label: label, sql: sql, code: nil, names: nil)
    }
}

/// run_sql on a database laid out like a Supabase project (`SupabaseFixture`), as a superuser: secret
/// columns are refused in every spelling, whatever the role, and nothing else is.
@Suite("run_sql: sensitive columns")
struct SensitiveColumnTests {
    static let refused: [SensitiveCase] = [
        .refused("select list", "SELECT email, encrypted_password FROM auth.users"),
        .refused("star", "SELECT * FROM auth.users"),
        .refused("qualified star", "SELECT u.* FROM auth.users u"),
        .refused("TABLE", "TABLE auth.users"),
        .refused("whole row", "SELECT u FROM auth.users u"),
        .refused("row_to_json", "SELECT row_to_json(u) FROM auth.users u"),
        .refused("cast of the row to text", "SELECT u::text FROM auth.users u"),
        .refused("to_jsonb", "SELECT to_jsonb(u) FROM auth.users AS u"),
        .refused("count of the row", "SELECT count(u) FROM auth.users u"),
        .refused("field of the row", "SELECT (u).encrypted_password FROM auth.users u"),
        .refused("whole row beside a named column", "SELECT id, u FROM auth.users u"),
        .refused("whole row filtered on a column", "SELECT u FROM auth.users u WHERE u.email IS NOT NULL"),
        .refused("to_jsonb of the row beside a column", "SELECT email, to_jsonb(u)->>'encrypted_password' FROM auth.users u"),
        .refused("row of the unaliased table", "SELECT email, row_to_json(users)->>'recovery_token' FROM auth.users"),
        .refused("row text ordered by a column", "SELECT u::text FROM auth.users u ORDER BY email"),
        .refused("row size beside a column", "SELECT id, pg_column_size(u) FROM auth.users u"),
        .refused("whole row of a password table", "SELECT id, a FROM public.accounts a", "password"),
        .refused("generated copy of a secret", "SELECT id, email FROM auth.identities", "email"),
        .refused("field of a composite column", "SELECT (cred).password FROM public.logins", "cred"),
        .refused("composite column as text", "SELECT cred::text FROM public.logins", "cred"),
        .refused("array of composites", "SELECT history FROM public.logins", "history"),
        .refused("view of a composite's field", "SELECT pw FROM public.login_fields", "cred"),
        .refused("where", "SELECT id FROM auth.users WHERE encrypted_password LIKE '$2a$%'"),
        .refused("order by", "SELECT id FROM auth.users ORDER BY encrypted_password"),
        .refused("group by", "SELECT count(*) FROM auth.users GROUP BY encrypted_password"),
        .refused("join condition", "SELECT a.id FROM auth.users a JOIN auth.users b ON a.encrypted_password = b.email"),
        .refused("natural join", "SELECT count(*) FROM auth.users NATURAL JOIN auth.users AS v"),
        .refused("count of the column", "SELECT count(encrypted_password) FROM auth.users"),
        .refused("length", "SELECT length(encrypted_password) FROM auth.users"),
        .refused("md5", "SELECT md5(encrypted_password) FROM auth.users"),
        .refused("subquery", "SELECT (SELECT max(encrypted_password) FROM auth.users) AS m"),
        .refused("exists", "SELECT 1 AS one WHERE EXISTS (SELECT 1 FROM auth.users WHERE encrypted_password > 'a')"),
        .refused("cte", "WITH x AS (SELECT encrypted_password AS p FROM auth.users) SELECT count(*) FROM x"),
        .refused("lateral", "SELECT f.id FROM public.films f, LATERAL (SELECT recovery_token FROM auth.users) z", "recovery_token"),
        .refused("union", "SELECT email FROM auth.users UNION SELECT confirmation_token FROM auth.users", "confirmation_token"),
        .refused("user view", "SELECT email FROM public.user_logins"),
        .refused("user view, other column", "SELECT id FROM public.user_logins"),
        .refused("user view filtering on it", "SELECT id FROM public.login_checks"),
        .refused("user view of whole rows", "SELECT doc FROM public.user_rows"),
        .refused("materialized view", "SELECT id FROM public.login_cache"),
        .refused("decrypted secrets", "SELECT * FROM vault.decrypted_secrets", "decrypted_secrets"),
        .refused("decrypted secrets, one column", "SELECT name FROM vault.decrypted_secrets", "decrypted_secrets"),
        .refused("vault secret", "SELECT secret FROM vault.secrets", "secret"),
        .refused("pgsodium decrypted key", "SELECT id FROM pgsodium.decrypted_key", "decrypted_key"),
        .refused("pgsodium key table", "SELECT name FROM pgsodium.key", "key"),
        .refused("refresh token", "SELECT token FROM auth.refresh_tokens", "token"),
        .refused("identity data", "SELECT identity_data->>'sub' FROM auth.identities", "identity_data"),
        .refused("named password column", "SELECT login, password FROM public.accounts", "password"),
        .refused("api key by suffix", "SELECT stripe_api_key FROM public.integrations", "stripe_api_key"),
        .refused("client secret by suffix", "SELECT * FROM integrations", "stripe_api_key"),
        .refused("partition parent", "SELECT id FROM public.parts WHERE password IS NOT NULL", "password"),
        .refused("partition", "SELECT * FROM public.parts_1", "password"),
        .refused("EXPLAIN", "EXPLAIN SELECT encrypted_password FROM auth.users"),
        .refused("sampled values of pg_stats", "SELECT most_common_vals FROM pg_stats WHERE attname = 'password'",
                 "most_common_vals", code: "sql_not_read_only"),
        .refused("pg_stats histogram", "SELECT histogram_bounds::text FROM pg_catalog.pg_stats WHERE tablename = 'users'",
                 "histogram_bounds", code: "sql_not_read_only"),
        .refused("pg_statistic", "SELECT stavalues1 FROM pg_statistic", "pg_statistic", code: "sql_not_read_only"),
        .refused("trash table", "SELECT * FROM pgassist_trash.old_orders", "old_orders", code: "sql_not_read_only"),
        .refused("trash through a view", "SELECT count(*) FROM public.trash_peek", "old_orders", code: "sql_not_read_only"),
        .refused("trash partition through its parent", "SELECT * FROM public.ledger", "ledger_old", code: "sql_not_read_only"),
        .refused("trash child through its parent", "SELECT note FROM public.notes_base", "notes_dropped", code: "sql_not_read_only"),
    ]

    static let allowed: [SensitiveCase] = [
        .allowed("email and id", "SELECT id, email FROM auth.users"),
        .allowed("count(*)", "SELECT count(*) FROM auth.users"),
        .allowed("filter on email", "SELECT count(*) FROM auth.users WHERE email LIKE '%@example.com'"),
        .allowed("subquery count", "SELECT (SELECT count(*) FROM auth.users u WHERE u.email IS NOT NULL) AS n"),
        .allowed("view of emails", "SELECT * FROM public.user_emails"),
        .allowed("materialized view of emails", "SELECT * FROM public.email_cache"),
        .allowed("vault names", "SELECT id, name FROM vault.secrets"),
        .allowed("identities without data", "SELECT id, provider FROM auth.identities"),
        .allowed("accounts without password", "SELECT id, login, notes FROM public.accounts"),
        .allowed("ordinary table", "SELECT * FROM public.films ORDER BY id LIMIT 3"),
        .allowed("ordinary whole rows", "SELECT row_to_json(f) FROM public.films f WHERE f.id = 1"),
        .allowed("pg_stats metadata of a secret column", "SELECT null_frac, n_distinct FROM pg_stats WHERE attname = 'password'"),
        .allowed("pg_stats of a plain column", "SELECT attname, n_distinct FROM pg_stats WHERE tablename = 'stats_probe' AND attname = 'label'"),
        .allowed("catalog listing", "SELECT attname FROM pg_attribute WHERE attrelid = 'auth.users'::regclass AND attnum > 0"),
    ]

    @Test("a secret column is refused in every spelling, and the result holds no value", arguments: refused)
    func refuses(_ item: SensitiveCase) throws {
        let result = RunSQLTool().execute(.object(["query": .string(item.sql)]), context: try SupabaseFixture.database().context())
        let text = result.json.serialized()
        #expect(result.error?.code.rawValue == item.code, "\(text)")
        #expect(text.contains(item.names ?? ""), "\(text)")
        #expect(!text.contains(SupabaseFixture.planted), "\(text)")
        if item.code == "sensitive_column" {
            #expect(result.error?.details["column"]?.stringValue?.contains(item.names ?? "") == true, "\(text)")
        }
    }

    @Test("what reveals no secret stays allowed", arguments: allowed)
    func allows(_ item: SensitiveCase) throws {
        let result = RunSQLTool().execute(.object(["query": .string(item.sql)]), context: try SupabaseFixture.database().context())
        let text = result.json.serialized()
        #expect(result.isSuccess, "\(text)")
        #expect(!text.contains(SupabaseFixture.planted), "\(text)")
    }

    @Test("a TOAST table, which holds a table's long values (secrets and trash rows included), is refused")
    func toastTables() throws {
        let database = try SupabaseFixture.database()
        let toast = try #require(try database.scalar("SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = 'public.long_secrets'::regclass"))
        #expect(try database.scalar("SELECT count(*) > 0 FROM \(toast)") == "t", "the fixture's long value is in \(toast)")
        for sql in ["SELECT chunk_id, chunk_seq, convert_from(chunk_data, 'UTF8') AS d FROM \(toast)",
                    "SELECT chunk_seq, length(chunk_data) FROM \(toast)",
                    "SELECT count(*) FROM \(toast)"] {
            let result = RunSQLTool().execute(.object(["query": .string(sql)]), context: database.context())
            let text = result.json.serialized()
            #expect(result.error?.code.rawValue == "sql_not_read_only", "\(sql) → \(text)")
            #expect(result.error?.details["reason"]?.stringValue == "relation_not_allowed", "\(text)")
            #expect(!text.contains(SupabaseFixture.planted), "\(text)")
        }
    }

    @Test("SENSITIVE_COLUMNS adds columns and whole relations; SENSITIVE_COLUMN_NAMES replaces the names")
    func environment() throws {
        let database = try SupabaseFixture.database()
        let settings = try ToolSettings(environment: ["SENSITIVE_COLUMNS": "public.customers.internal_code, public.vendors",
                                                      "SENSITIVE_COLUMN_NAMES": "login"])
        func run(_ sql: String, _ settings: ToolSettings) -> ToolResult {
            RunSQLTool().execute(.object(["query": .string(sql)]), context: database.context(settings))
        }
        #expect(run("SELECT internal_code FROM customers", settings).error?.code == .sensitiveColumn)
        #expect(run("SELECT id, name FROM customers", settings).isSuccess)
        #expect(run("SELECT count(*) FROM vendors", settings).error?.code == .sensitiveColumn)
        #expect(run("SELECT login FROM accounts", settings).error?.code == .sensitiveColumn)
        // The names were replaced: `password` in a user table is no longer refused by name, auth's still are.
        #expect(run("SELECT password FROM accounts", settings).isSuccess)
        #expect(run("SELECT encrypted_password FROM auth.users", settings).error?.code == .sensitiveColumn)
        #expect(run("SELECT internal_code FROM customers", ToolSettings()).isSuccess)
        #expect(throws: ConfigurationError.self) { try ToolSettings(environment: ["SENSITIVE_COLUMNS": "users"]) }
    }

    @Test("a project's sensitiveColumns apply as chat sets them")
    func project() throws {
        var settings = ToolSettings()
        try settings.sensitiveColumns.add(["public.customers.api_note"])
        let result = RunSQLTool().execute(.object(["query": .string("SELECT api_note FROM customers")]),
                                          context: try SupabaseFixture.database().context(settings))
        #expect(result.error?.code == .sensitiveColumn)
        #expect(result.error?.details["column"] == .string(#""public"."customers"."api_note""#))
    }

    @Test("get_schema lists secret columns marked sensitive and hides literals on their tables")
    func schema() throws {
        let context = try SupabaseFixture.database().context()
        let users = GetSchemaTool().execute(.object(["table": .string("users"), "schema": .string("auth")]), context: context)
        let columns = try #require(users.data?["columns"]?.arrayValue)
        let password = try #require(columns.first { $0["name"]?.stringValue == "encrypted_password" })
        #expect(password["sensitive"] == .bool(true) && password["type"]?.stringValue == "character varying(255)")
        #expect(columns.first { $0["name"]?.stringValue == "email" }?["sensitive"] == nil)

        let checked = GetSchemaTool().execute(.object(["table": .string("tokens_checked")]), context: context)
        let text = checked.json.serialized()
        #expect(checked.isSuccess && !text.contains(SupabaseFixture.planted), "\(text)")
        #expect(text.contains("id > 0") && text.contains("[hidden:"), "\(text)")
        let films = GetSchemaTool().execute(.object(["table": .string("films")]), context: context)
        #expect(!films.json.serialized().contains("sensitive"))
    }
}
