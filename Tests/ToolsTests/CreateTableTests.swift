import JSON
import QueryTools
import SchemaTools
import Testing
import ToolsCore
import TrashTools

@Suite("create_table")
struct CreateTableTests {
    private func column(_ name: String, _ type: String, _ extra: [String: JSONValue] = [:]) -> JSONValue {
        var object: [String: JSONValue] = ["name": .string(name), "type": .string(type)]
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }

    private func arguments(table: String, schema: String? = nil, columns: [JSONValue],
                           extra: [String: JSONValue] = [:]) -> JSONValue {
        var object: [String: JSONValue] = ["table": .string(table), "columns": .array(columns)]
        if let schema { object["schema"] = .string(schema) }
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }

    @Test("creates the table with canonical types, keys, a foreign key, RLS and a comment, and describes it")
    func happyPath() throws {
        let database = try ToolTestDatabase(prefix: "create")
        try database.execute("CREATE TABLE public.accounts (id bigint PRIMARY KEY)")
        let result = CreateTableTool().execute(arguments(table: "profiles", columns: [
            column("id", "bigserial", ["primaryKey": .bool(true)]),
            column("account_id", "int8", ["nullable": .bool(false),
                                          "references": .object(["table": .string("accounts"), "column": .string("id"),
                                                                 "onDelete": .string("cascade")])]),
            column("email", "varchar(255)", ["unique": .bool(true)]),
            column("price", "numeric(10, 2)", ["default": .number(0)]),
            column("created_at", "timestamptz", ["default": .string("now()")]),
            column("status", "text", ["default": .string("it's active")]),
            column("tags", "text[]"),
            column("active", "bool", ["default": .bool(true)]),
            column("seen_at", "timestamp(3) with time zone"),
            column("codes", "varchar(20)[]"),
        ], extra: ["comment": .string("User profiles")]), context: database.context())
        let data = try #require(result.data, "\(result.json.serialized())")
        #expect(data["created"] == .bool(true))
        let table = try #require(data["table"])
        #expect(table["name"] == .string("profiles"))
        #expect(table["schema"] == .string("public"))
        #expect(table["comment"] == .string("User profiles"))
        #expect(table["rls"]?["enabled"] == .bool(true))
        let types = Dictionary(uniqueKeysWithValues: (table["columns"]?.arrayValue ?? []).compactMap { column in
            column["name"]?.stringValue.map { ($0, column["type"]?.stringValue ?? "") }
        })
        #expect(types == ["id": "bigint", "account_id": "bigint", "email": "character varying(255)", "price": "numeric(10,2)",
                          "created_at": "timestamp with time zone", "status": "text", "tags": "text[]", "active": "boolean",
                          "seen_at": "timestamp(3) with time zone", "codes": "character varying(20)[]"])
        #expect(table["primaryKey"]?["columns"] == .array([.string("id")]))
        let foreignKey = try #require(table["foreignKeys"]?.arrayValue?.first)
        #expect(foreignKey["references"]?["table"] == .string("accounts"))
        #expect(foreignKey["onDelete"]?.stringValue?.lowercased() == "cascade")
        // Straight from the catalog, bypassing the tool.
        #expect(try database.scalar("SELECT relrowsecurity::text FROM pg_class WHERE oid = 'public.profiles'::regclass") == "true")
        #expect(try database.scalar("SELECT attidentity FROM pg_attribute WHERE attrelid = 'public.profiles'::regclass AND attname = 'id'") == "d")
        #expect(try database.scalar("""
            SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef
            WHERE adrelid = 'public.profiles'::regclass AND adnum = 6
            """) == "'it''s active'::text")
        try database.execute("INSERT INTO public.accounts VALUES (1); INSERT INTO public.profiles (account_id, email) VALUES (1, 'a@b.c')")
        #expect(try database.scalar("SELECT price::text || ' ' || active::text || ' ' || status FROM public.profiles") == "0.00 true it's active")
    }

    @Test("RLS stays off when asked, and a composite primary key is one constraint")
    func rlsOffAndCompositeKey() throws {
        let database = try ToolTestDatabase(prefix: "create")
        let result = CreateTableTool().execute(arguments(table: "pairs", columns: [
            column("a", "int", ["primaryKey": .bool(true)]), column("b", "int", ["primaryKey": .bool(true)]),
        ], extra: ["enableRls": .bool(false)]), context: database.context())
        #expect(result.isSuccess, "\(result.json.serialized())")
        #expect(try database.scalar("SELECT relrowsecurity::text FROM pg_class WHERE oid = 'public.pairs'::regclass") == "false")
        #expect(try database.scalar("""
            SELECT array_length(conkey, 1)::text FROM pg_constraint WHERE conrelid = 'public.pairs'::regclass AND contype = 'p'
            """) == "2")
    }

    @Test("bad identifiers are refused and nothing runs", arguments: [
        String(repeating: "a", count: 64), "x\"; DROP TABLE y; --", "has space", "semi;colon", "9starts_with_digit", "",
    ])
    func badIdentifiers(name: String) throws {
        let database = try ToolTestDatabase(prefix: "create")
        try database.execute("CREATE TABLE public.y (id int)")
        let asTable = CreateTableTool().execute(arguments(table: name, columns: [column("id", "int")]), context: database.context())
        #expect(asTable.error?.code == .invalidIdentifier, "\(asTable.json.serialized())")
        let asColumn = CreateTableTool().execute(arguments(table: "ok", columns: [column(name, "int")]), context: database.context())
        #expect(asColumn.error?.code == .invalidIdentifier)
        let asSchema = CreateTableTool().execute(arguments(table: "ok", schema: name, columns: [column("id", "int")]),
                                                 context: database.context())
        #expect(asSchema.error?.code == .invalidIdentifier)
        #expect(try database.scalar("SELECT count(*) FROM pg_class WHERE relname IN ('y', 'ok')") == "1")
    }

    @Test("a type that is not a type is refused naming the column", arguments: [
        "text; drop table y", "notatype", "varchar(abc)", "int) ; drop table y; --", "trigger", "text(5)", "numeric(2000)",
    ])
    func badTypes(type: String) throws {
        let database = try ToolTestDatabase(prefix: "create")
        try database.execute("CREATE TABLE public.y (id int)")
        let result = CreateTableTool().execute(arguments(table: "t", columns: [column("id", "int"), column("bad_col", type)]),
                                               context: database.context())
        let error = try #require(result.error)
        #expect(error.code == .invalidArguments)
        #expect(error.message.contains("bad_col"))
        #expect(try database.scalar("SELECT count(*) FROM pg_class WHERE relname IN ('y', 't')") == "1")
    }

    @Test("a default that is SQL rather than a value is refused", arguments: [
        "nextval('y_id_seq'::regclass)", "now(); drop table y", "(select max(id) from y)", "1::int", "x -- comment",
    ])
    func badDefaults(expression: String) throws {
        let database = try ToolTestDatabase(prefix: "create")
        try database.execute("CREATE TABLE public.y (id int)")
        let result = CreateTableTool().execute(arguments(table: "t", columns: [column("v", "text", ["default": .string(expression)])]),
                                               context: database.context())
        #expect(result.error?.code == .invalidArguments, "\(result.json.serialized())")
        #expect(try database.scalar("SELECT count(*) FROM pg_class WHERE relname IN ('y', 't')") == "1")
    }

    @Test("a plain default the column type cannot hold is refused naming the column")
    func defaultOfWrongType() throws {
        let database = try ToolTestDatabase(prefix: "create")
        let result = CreateTableTool().execute(arguments(table: "t", columns: [column("n", "integer", ["default": .string("abc")])]),
                                               context: database.context())
        let error = try #require(result.error)
        #expect(error.code == .invalidArguments)
        #expect(error.message.contains("'n'"))
    }

    @Test("protected schemas, the trash included, are refused", arguments: ["pg_catalog", "information_schema", "auth", "storage",
                                                                              "pgassist_trash", "pg_toast"])
    func protectedSchema(schema: String) throws {
        let database = try ToolTestDatabase(prefix: "create")
        let result = CreateTableTool().execute(arguments(table: "t", schema: schema, columns: [column("id", "int")]),
                                               context: database.context())
        #expect(result.error?.code == .protectedSchema)
    }

    @Test("a column typed with a table's row type, or a type or domain of a protected schema, is refused naming the column", arguments: [
        "auth.users", "auth.users[]", "auth.email", "public.accounts", "public.accounts[]", "public.account_row",
        "public.account_rows", "pg_catalog.pg_class", "information_schema.tables", "storage.kind",
    ])
    func pinnedTypes(type: String) throws {
        let database = try ToolTestDatabase(prefix: "create")
        try database.execute("""
            CREATE SCHEMA auth; CREATE TABLE auth.users (id uuid PRIMARY KEY); CREATE DOMAIN auth.email AS text;
            CREATE SCHEMA storage; CREATE TYPE storage.kind AS ENUM ('a', 'b');
            CREATE TABLE public.accounts (id int); CREATE DOMAIN public.account_row AS public.accounts;
            CREATE DOMAIN public.account_rows AS auth.users[];
            """)
        let result = CreateTableTool().execute(arguments(table: "t", columns: [column("id", "int"), column("owner_col", type)]),
                                               context: database.context())
        let error = try #require(result.error, "\(result.json.serialized())")
        #expect([.invalidArguments, .protectedSchema].contains(error.code))
        #expect(error.message.contains("owner_col"))
        #expect(try database.scalar("SELECT to_regclass('public.t')::text") == nil)
        #expect(try database.scalar("SELECT count(*) FROM pg_depend WHERE refobjid = 'auth.users'::regtype AND deptype = 'n'") == "0")
    }

    @Test("types of one's own (standalone composite, enum, domain) and built-in arrays are still allowed")
    func ownTypes() throws {
        let database = try ToolTestDatabase(prefix: "create")
        try database.execute("""
            CREATE TYPE public.point3 AS (x float8, y float8, z float8); CREATE TYPE public.mood AS ENUM ('ok');
            CREATE DOMAIN public.positive AS int CHECK (VALUE > 0);
            """)
        let result = CreateTableTool().execute(arguments(table: "t", columns: [
            column("p", "public.point3"), column("m", "mood"), column("n", "positive"), column("tags", "text[]"),
        ]), context: database.context())
        #expect(result.isSuccess, "\(result.json.serialized())")
    }

    @Test("an existing table is relation_exists and is left alone")
    func existingTable() throws {
        let database = try ToolTestDatabase(prefix: "create")
        try database.execute("CREATE TABLE public.t (keep int); INSERT INTO public.t VALUES (7)")
        let result = CreateTableTool().execute(arguments(table: "t", columns: [column("id", "int")]), context: database.context())
        #expect(result.error?.code == .relationExists)
        #expect(try database.scalar("SELECT keep::text FROM public.t") == "7")
    }

    @Test("misspelled column options and unknown onDelete actions are refused")
    func misspelledOptions() throws {
        let database = try ToolTestDatabase(prefix: "create")
        let misspelled = CreateTableTool().execute(arguments(table: "t", columns: [column("id", "int", ["primarykey": .bool(true)])]),
                                                   context: database.context())
        #expect(misspelled.error?.code == .invalidArguments)
        #expect(misspelled.error?.message.contains("primarykey") == true)
        let action = CreateTableTool().execute(arguments(table: "t", columns: [
            column("id", "int", ["references": .object(["table": .string("x"), "column": .string("id"),
                                                        "onDelete": .string("drop everything")])]),
        ]), context: database.context())
        #expect(action.error?.code == .invalidArguments)
    }
}
