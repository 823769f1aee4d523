import Foundation
import JSON
import QueryTools
import SchemaTools
import Testing
import ToolsCore
import TrashTools

/// What restore_table gives back besides rows and definitions: who owns the recreated views, who may read
/// them, and their comments; and that the table itself keeps its own.
@Suite("restore_table: owners, grants and comments")
struct RestoreAccessTests {
    @Test("a view dropped with cascade comes back with its owner, grants and comments; a reader can read it again")
    func viewAccess() throws {
        let database = try ToolTestDatabase(prefix: "restoreacl")
        let suffix = String(UInt32.random(in: 100_000...999_999))
        let owner = "view_owner_\(suffix)", reader = "view_reader_\(suffix)", editor = "view_editor_\(suffix)"
        try database.execute("""
            CREATE ROLE \(owner) NOLOGIN; CREATE ROLE \(reader) NOLOGIN; CREATE ROLE \(editor) NOLOGIN;
            CREATE TABLE public.accounts (id int PRIMARY KEY, name text);
            INSERT INTO public.accounts VALUES (1, 'ada');
            COMMENT ON TABLE public.accounts IS 'Customer accounts';
            GRANT SELECT ON public.accounts TO \(owner), \(reader);
            CREATE VIEW public.account_names AS SELECT name FROM public.accounts;
            ALTER VIEW public.account_names OWNER TO \(owner);
            GRANT SELECT ON public.account_names TO \(reader);
            GRANT SELECT ON public.account_names TO \(editor) WITH GRANT OPTION;
            COMMENT ON VIEW public.account_names IS 'It''s the names';
            COMMENT ON COLUMN public.account_names.name IS 'Display name';
            CREATE MATERIALIZED VIEW public.account_count AS SELECT count(*) AS n FROM public.account_names;
            """)
        defer {
            try? database.execute("""
                DROP OWNED BY \(owner), \(reader), \(editor) CASCADE; DROP ROLE \(owner); DROP ROLE \(reader); DROP ROLE \(editor)
                """)
        }
        let grantsBefore = try database.scalar("SELECT relacl::text FROM pg_class WHERE oid = 'public.account_names'::regclass")
        let dropped = try dropWithApproval(.object(["table": .string("accounts"), "cascade": .bool(true)]), database: database,
                                           store: MemoryPendingActionStore())
        #expect(dropped.isSuccess, "\(dropped.json.serialized())")

        let restored = RestoreTableTool().execute(.object(["table": .string("accounts")]), context: database.context(actions: MemoryPendingActionStore()))
        let data = try #require(restored.data, "\(restored.json.serialized())")
        #expect(data["recreated"]?.arrayValue?.count == 2)
        #expect(data["accessNotRestored"] == nil, "\(restored.json.serialized())")
        #expect(try database.scalar("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'public.account_names'::regclass") == owner)
        #expect(try database.scalar("SELECT relacl::text FROM pg_class WHERE oid = 'public.account_names'::regclass") == grantsBefore)
        #expect(try database.scalar("SELECT has_table_privilege('\(reader)', 'public.account_names', 'SELECT')::text") == "true")
        #expect(try database.scalar("SELECT has_table_privilege('\(editor)', 'public.account_names', 'SELECT WITH GRANT OPTION')::text") == "true")
        #expect(try database.scalar("SELECT obj_description('public.account_names'::regclass, 'pg_class')") == "It's the names")
        #expect(try database.scalar("SELECT col_description('public.account_names'::regclass, 1)") == "Display name")
        // The reader reads through the view as before (the view runs with its owner's rights).
        try database.execute("BEGIN; SET LOCAL ROLE \(reader)")
        #expect(try database.scalar("SELECT string_agg(name, ',') FROM public.account_names") == "ada")
        try database.execute("ROLLBACK")
        // The table kept its own comment and grants through the trash.
        #expect(try database.scalar("SELECT obj_description('public.accounts'::regclass, 'pg_class')") == "Customer accounts")
        #expect(try database.scalar("SELECT has_table_privilege('\(reader)', 'public.accounts', 'SELECT')::text") == "true")
        #expect(try database.scalar("SELECT count(*) FROM public.account_count") == "1", "the materialized view on top came back too")
    }

    @Test("a view whose owner no longer exists still comes back, and says its access could not be restored")
    func ownerGone() throws {
        let database = try ToolTestDatabase(prefix: "restoreacl")
        let owner = "gone_owner_\(UInt32.random(in: 100_000...999_999))"
        try database.execute("""
            CREATE ROLE \(owner) NOLOGIN;
            CREATE TABLE public.items (id int);
            GRANT SELECT ON public.items TO \(owner);
            CREATE VIEW public.item_ids AS SELECT id FROM public.items;
            ALTER VIEW public.item_ids OWNER TO \(owner);
            """)
        _ = try dropWithApproval(.object(["table": .string("items"), "cascade": .bool(true)]), database: database,
                                 store: MemoryPendingActionStore())
        try database.execute("DROP OWNED BY \(owner); DROP ROLE \(owner)")
        let restored = RestoreTableTool().execute(.object(["table": .string("items")]), context: database.context(actions: MemoryPendingActionStore()))
        let data = try #require(restored.data, "\(restored.json.serialized())")
        #expect(data["recreated"]?.arrayValue?.count == 1)
        #expect(data["accessNotRestored"]?.arrayValue?.first?["name"] == .string("item_ids"))
        #expect(try database.scalar("SELECT to_regclass('public.item_ids')::text") == "item_ids")
    }
}
