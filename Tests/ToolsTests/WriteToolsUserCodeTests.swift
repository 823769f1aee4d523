import Foundation
import JSON
import QueryTools
import SchemaTools
import Testing
import ToolsCore
import TrashTools

/// The write tools run their DDL as pgassist's login (possibly a superuser): nothing they do may run code a
/// database role planted. A domain whose CHECK calls a user function is the trap: reading a literal of it
/// (a default, a view's `'{x}'::d[]`) runs the CHECK. Each trap leaves a marker file when it fires.
@Suite("write tools and user code", .serialized)
struct WriteToolsUserCodeTests {
    let database: ToolTestDatabase
    let marker: String

    init() throws {
        database = try ToolTestDatabase(prefix: "wtcode")
        marker = "/tmp/pgassist-write-marker-\(UUID().uuidString)"
        try database.execute("""
            CREATE FUNCTION public.trap(text) RETURNS boolean LANGUAGE plpgsql AS $$
                BEGIN EXECUTE format('COPY (SELECT 1) TO %L', '\(marker)'); RETURN true; END $$;
            CREATE DOMAIN public.trapped AS text CHECK (public.trap(VALUE));
            """)
    }

    private var fired: Bool { FileManager.default.fileExists(atPath: marker) }

    @Test("create_table refuses a default whose type runs user code when it is read, and runs none")
    func defaultOfTrappedType() throws {
        let result = CreateTableTool().execute(.object([
            "table": .string("notes"),
            "columns": .array([.object(["name": .string("tag"), "type": .string("public.trapped"), "default": .string("hello")])]),
        ]), context: database.context())
        #expect(result.error?.code == .sqlNotReadOnly, "\(result.json.serialized())")
        #expect(!fired, "the domain's CHECK ran")
        #expect(try database.scalar("SELECT to_regclass('public.notes')::text") == nil)
    }

    @Test("restore_table does not recreate a view whose literal would run user code, and runs none")
    func restoreTrappedView() throws {
        try database.execute("""
            CREATE TABLE public.t (id int PRIMARY KEY);
            INSERT INTO public.t VALUES (1);
            CREATE VIEW public.t_summary AS SELECT t.id, '{x}'::public.trapped[] AS tag FROM public.t;
            """)
        try? FileManager.default.removeItem(atPath: marker)
        let store = MemoryPendingActionStore()
        let dropped = try dropWithApproval(.object(["table": .string("t"), "cascade": .bool(true)]),
                                           database: database, store: store)
        #expect(dropped.isSuccess, "\(dropped.json.serialized())")
        let restored = RestoreTableTool().execute(.object(["table": .string("t")]), context: database.context(actions: store))
        let data = try #require(restored.data, "\(restored.json.serialized())")
        #expect(data["restored"] == .bool(true))
        #expect(data["notRecreated"]?.arrayValue?.count == 1, "\(restored.json.serialized())")
        #expect(!fired, "the domain's CHECK ran while the view was recreated")
        #expect(try database.scalar("SELECT to_regclass('public.t_summary')::text") == nil)
    }

    @Test("a purge shows, and lists as removed, a rule on another table that the cascade removes")
    func purgeShowsRules() throws {
        try database.execute("""
            CREATE TABLE public.frozen (id int PRIMARY KEY);
            CREATE TABLE public.accounts (id int PRIMARY KEY);
            CREATE RULE protect_frozen AS ON DELETE TO public.accounts
                WHERE EXISTS (SELECT 1 FROM public.frozen f WHERE f.id = old.id) DO INSTEAD NOTHING;
            """)
        let first = DropTableTool().execute(.object(["table": .string("frozen"), "purge": .bool(true), "cascade": .bool(true)]),
                                            context: database.context(actions: MemoryPendingActionStore()))
        #expect(first.json.serialized().contains("protect_frozen"), "\(first.json.serialized())")
    }
}
