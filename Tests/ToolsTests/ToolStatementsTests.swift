import Foundation
import JSON
import QueryTools
import SchemaTools
import Testing
import ToolsCore
import TrashTools

/// The tools' own catalog statements mean what they say whatever the database holds: a user function that
/// matches their calls better than the built-in (`format_type(oid, text)` for a NULL argument), or one with
/// the same signature in a schema the database searches first, never runs.
@Suite("tools: their own statements", .serialized)
struct ToolStatementsTests {
    let database: ToolTestDatabase
    let marker: String

    init() throws {
        database = try ToolTestDatabase(prefix: "ownsql")
        marker = "/tmp/pgassist-own-sql-marker-\(UUID().uuidString)"
        try database.execute("""
            CREATE TABLE items (id int PRIMARY KEY, name text);
            COMMENT ON TABLE items IS 'things';
            CREATE FUNCTION public.mark() RETURNS text LANGUAGE plpgsql AS $$
                BEGIN EXECUTE format('COPY (SELECT 1) TO %L', '\(marker)'); RETURN 'taken'; END $$;
            CREATE FUNCTION public.format_type(oid, text) RETURNS text LANGUAGE sql AS $$ SELECT public.mark() $$;
            CREATE FUNCTION public.obj_description(oid, text) RETURNS text LANGUAGE sql AS $$ SELECT public.mark() $$;
            CREATE FUNCTION public.left(text, integer) RETURNS text LANGUAGE sql AS $$ SELECT public.mark() $$;
            CREATE FUNCTION public.set_config(text, text, boolean) RETURNS text LANGUAGE sql AS $$ SELECT public.mark() $$;
            """)
        try database.execute("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET search_path = public, pg_catalog', current_database()); END $$")
    }

    @Test("list_tables, get_schema and run_sql answer without running the database's look-alike functions")
    func lookAlikes() throws {
        let context = database.context()
        let listed = ListTablesTool().execute(.object([:]), context: context)
        #expect(listed.json.serialized().contains("things"), "\(listed.json.serialized().prefix(400))")
        let schema = GetSchemaTool().execute(.object(["table": .string("items")]), context: context)
        #expect(schema.isSuccess, "\(schema.json.serialized().prefix(400))")
        #expect(!schema.json.serialized().contains("taken"))
        #expect(RunSQLTool().execute(.object(["query": .string("SELECT 'items'::regclass AS r")]), context: context).isSuccess)
        #expect(!FileManager.default.fileExists(atPath: marker), "a look-alike function ran in a tool's own statement")
    }
}
