import Foundation
import JSON
import QueryTools
import SchemaTools
import Testing
import ToolsCore
import TrashTools

@Suite("restore_table")
struct RestoreTableTests {
    private func restore(_ table: String, trashedName: String? = nil, database: ToolTestDatabase) -> ToolResult {
        var object: [String: JSONValue] = ["table": .string(table)]
        if let trashedName { object["trashedName"] = .string(trashedName) }
        return RestoreTableTool().execute(.object(object), context: database.context(actions: MemoryPendingActionStore()))
    }

    @Test("a trashed table comes back with its rows, index names and a working sequence")
    func roundTrip() throws {
        let database = try ToolTestDatabase(prefix: "restore")
        try database.execute("""
            CREATE TABLE public.notes (id bigserial PRIMARY KEY, body text NOT NULL);
            CREATE INDEX notes_body_idx ON public.notes (body);
            INSERT INTO public.notes (body) VALUES ('one'), ('two');
            """)
        let dropped = try dropWithApproval(.object(["table": .string("notes")]), database: database, store: MemoryPendingActionStore())
        #expect(dropped.isSuccess, "\(dropped.json.serialized())")
        #expect(try database.scalar("SELECT to_regclass('public.notes_body_idx')::text") == nil)

        let result = restore("notes", database: database)
        let data = try #require(result.data, "\(result.json.serialized())")
        #expect(data["restored"] == .bool(true))
        #expect(data["table"] == .string("public.notes"))
        #expect(data["recreated"] == .array([]))
        #expect(try database.scalar("SELECT string_agg(body, ',' ORDER BY id) FROM public.notes") == "one,two")
        #expect(try database.scalar("SELECT to_regclass('public.notes_body_idx')::text") == "notes_body_idx")
        #expect(try database.scalar("SELECT to_regclass('public.notes_pkey')::text") == "notes_pkey")
        try database.execute("INSERT INTO public.notes (body) VALUES ('three')")
        #expect(try database.scalar("SELECT max(id)::text FROM public.notes") == "3")
        #expect(try database.scalar("SELECT count(*) FROM pgassist_trash.trash_log") == "0")
        #expect(try database.scalar("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = 'pgassist_trash' AND relname NOT IN ('trash_log', 'trash_log_pkey', 'restore_log')") == "0")
    }

    @Test("with cascade, the dependent views and foreign keys are dropped, and restore recreates them")
    func cascadeAndRecreate() throws {
        let database = try ToolTestDatabase(prefix: "restore")
        try database.execute("""
            CREATE SCHEMA app;
            CREATE TABLE app.products (id int PRIMARY KEY, name text);
            INSERT INTO app.products VALUES (1, 'apple'), (2, 'pear');
            CREATE TABLE public.orders (id int PRIMARY KEY, product_id int REFERENCES app.products (id) ON DELETE CASCADE);
            INSERT INTO public.orders VALUES (10, 1);
            CREATE VIEW public.product_names WITH (security_invoker = true) AS SELECT name FROM app.products;
            CREATE VIEW public.apple_names AS SELECT name FROM public.product_names WHERE name LIKE 'a%';
            """)
        let store = MemoryPendingActionStore()
        let arguments: JSONValue = .object(["schema": .string("app"), "table": .string("products"), "cascade": .bool(true)])
        let dropped = try dropWithApproval(arguments, database: database, store: store)
        let data = try #require(dropped.data, "\(dropped.json.serialized())")
        #expect(data["droppedDependents"]?.arrayValue?.count == 3)
        #expect(try database.scalar("SELECT to_regclass('public.product_names')::text") == nil)
        #expect(try database.scalar("SELECT to_regclass('public.apple_names')::text") == nil)
        #expect(try database.scalar("SELECT count(*) FROM pg_constraint WHERE conname = 'orders_product_id_fkey'") == "0")
        #expect(try database.scalar("SELECT count(*) FROM public.orders") == "1")

        let restored = RestoreTableTool().execute(.object(["schema": .string("app"), "table": .string("products")]),
                                                  context: database.context(actions: MemoryPendingActionStore()))
        let restoredData = try #require(restored.data, "\(restored.json.serialized())")
        #expect(restoredData["recreated"]?.arrayValue?.count == 3)
        #expect(restoredData["notRecreated"] == nil)
        #expect(try database.scalar("SELECT string_agg(name, ',' ORDER BY name) FROM public.product_names") == "apple,pear")
        #expect(try database.scalar("SELECT string_agg(name, ',') FROM public.apple_names") == "apple")
        #expect(try database.scalar("SELECT array_to_string(reloptions, ',') FROM pg_class WHERE oid = 'public.product_names'::regclass")
                == "security_invoker=true")
        #expect(try database.scalar("""
            SELECT confdeltype::text || ' ' || confrelid::regclass::text FROM pg_constraint WHERE conname = 'orders_product_id_fkey'
            """) == "c app.products")
        // The recreated key works: deleting the product cascades to the order.
        try database.execute("DELETE FROM app.products WHERE id = 1")
        #expect(try database.scalar("SELECT count(*) FROM public.orders") == "0")
    }

    @Test("a name taken again is restore_conflict and nothing moves")
    func conflict() throws {
        let database = try ToolTestDatabase(prefix: "restore")
        try database.execute("CREATE TABLE public.t (id int); INSERT INTO public.t VALUES (1)")
        let dropped = try dropWithApproval(.object(["table": .string("t")]), database: database, store: MemoryPendingActionStore())
        let trashedAs = try #require(dropped.data?["trashedAs"]?.stringValue)
        try database.execute("CREATE TABLE public.t (other text)")
        let result = restore("t", database: database)
        #expect(result.error?.code == .restoreConflict)
        #expect(try database.scalar("SELECT count(*) FROM \(quotedTrashName(trashedAs))") == "1")
        #expect(try database.scalar("SELECT count(*) FROM pgassist_trash.trash_log") == "1")
        // Once the name is free again, the named copy comes back (drop_table's trashedAs is accepted as is).
        try database.execute("ALTER TABLE public.t RENAME TO t_new")
        let named = restore("t", trashedName: trashedAs, database: database)
        #expect(named.isSuccess, "\(named.json.serialized())")
        #expect(try database.scalar("SELECT id::text FROM public.t") == "1")
    }

    @Test("the most recent copy is restored first")
    func mostRecentFirst() throws {
        let database = try ToolTestDatabase(prefix: "restore")
        let store = MemoryPendingActionStore()
        for round in 1...2 {
            try database.execute("CREATE TABLE public.t (round int PRIMARY KEY); INSERT INTO public.t VALUES (\(round))")
            _ = try dropWithApproval(.object(["table": .string("t")]), database: database, store: store)
        }
        #expect(restore("t", database: database).isSuccess)
        #expect(try database.scalar("SELECT round::text FROM public.t") == "2")
        #expect(restore("t", database: database).error?.code == .restoreConflict)
    }

    @Test("a table whose schema and name are long and not plain identifiers goes to the trash under a short name and comes back")
    func oddNames() throws {
        let database = try ToolTestDatabase(prefix: "restore")
        let schema = "Sales Data " + String(repeating: "s", count: 52)
        let table = "Quarterly \"Report\" " + String(repeating: "t", count: 44)
        #expect(schema.utf8.count == 63 && table.utf8.count == 63)
        let quoted = "\"\(schema)\".\"\(table.replacingOccurrences(of: "\"", with: "\"\""))\""
        try database.execute("CREATE SCHEMA \"\(schema)\"; CREATE TABLE \(quoted) (id serial PRIMARY KEY); INSERT INTO \(quoted) DEFAULT VALUES")
        let dropped = try dropWithApproval(.object(["schema": .string(schema), "table": .string(table)]), database: database,
                                           store: MemoryPendingActionStore())
        let trashedAs = try #require(dropped.data?["trashedAs"]?.stringValue, "\(dropped.json.serialized())")
        let trashedName = String(trashedAs.dropFirst("pgassist_trash.".count))
        #expect(trashedName.utf8.count <= 63)
        #expect(trashedName.hasPrefix("sales_data_"))
        #expect(try database.scalar("SELECT count(*) FROM \(quotedTrashName(trashedAs))") == "1")
        let restored = RestoreTableTool().execute(.object(["schema": .string(schema), "table": .string(table)]),
                                                  context: database.context(actions: MemoryPendingActionStore()))
        #expect(restored.isSuccess, "\(restored.json.serialized())")
        #expect(try database.scalar("SELECT count(*) FROM \(quoted)") == "1")
    }

    @Test("nothing in the trash is relation_not_found; protected schemas are refused")
    func nothingToRestore() throws {
        let database = try ToolTestDatabase(prefix: "restore")
        #expect(restore("ghost", database: database).error?.code == .relationNotFound)
        let protected = RestoreTableTool().execute(.object(["schema": .string("auth"), "table": .string("users")]),
                                                   context: database.context(actions: MemoryPendingActionStore()))
        #expect(protected.error?.code == .protectedSchema)
    }
}
