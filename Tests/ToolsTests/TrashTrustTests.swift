import Foundation
import JSON
import QueryTools
import SchemaTools
import Testing
import ToolsCore
import TrashTools

/// A low-privilege login role in a test database, for planting what an attacker with `CREATE` on the database
/// could; dropped (with what it owns) at the end.
final class LowRole {
    let name = "pgassist_low_" + UUID().uuidString.prefix(8).lowercased()
    private let database: ToolTestDatabase

    init(_ database: ToolTestDatabase) throws {
        self.database = database
        try database.execute("""
            CREATE ROLE \(name) LOGIN;
            DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO \(name)', current_database()); END $$;
            GRANT USAGE, CREATE ON SCHEMA public TO \(name);
            """)
    }

    /// Runs `sql` as this role (`SET ROLE`), so what it creates is the role's.
    func run(_ sql: String) throws {
        try database.execute("SET ROLE \(name); \(sql); RESET ROLE")
    }

    /// Whether the role has become a superuser.
    var isSuperuser: Bool { get throws { try database.scalar("SELECT rolsuper::text FROM pg_roles WHERE rolname = '\(name)'") == "true" } }

    deinit {
        try? database.execute("RESET ROLE; DROP OWNED BY \(name) CASCADE; REVOKE ALL ON SCHEMA public FROM \(name)")
        try? database.execute("DO $$ BEGIN EXECUTE format('REVOKE ALL ON DATABASE %I FROM \(name)', current_database()); END $$; DROP ROLE \(name)")
    }
}

/// Finding 1 of issue 13: the trash schema and its logs are pgassist's own. A trash another role owns or may
/// write is refused (`trash_not_trusted`); nothing read back from the log runs unchecked; who trashed a copy
/// is pgassist's store's word.
@Suite("The trash is pgassist's own")
struct TrashTrustTests {
    @Test("a trash and log planted by a low role are refused: the forged view never runs and no table moves into it")
    func plantedTrash() throws {
        let database = try ToolTestDatabase(prefix: "trashtrust")
        let low = try LowRole(database)
        let store = MemoryPendingActionStore()
        try low.run("""
            CREATE SCHEMA pgassist_trash;
            CREATE TABLE pgassist_trash.trash_log (
                trashed_name text PRIMARY KEY, original_schema text NOT NULL, original_name text NOT NULL,
                trashed_at timestamptz NOT NULL DEFAULT now(), trashed_by text NOT NULL,
                views jsonb NOT NULL DEFAULT '[]', foreign_keys jsonb NOT NULL DEFAULT '[]', renamed jsonb NOT NULL DEFAULT '[]');
            CREATE FUNCTION public.escalate() RETURNS int LANGUAGE plpgsql AS $f$
                BEGIN EXECUTE 'ALTER ROLE \(low.name) SUPERUSER'; RETURN 1; END $f$;
            CREATE TABLE pgassist_trash.public__ledger__20260101T000000Z (id int);
            INSERT INTO pgassist_trash.trash_log VALUES ('public__ledger__20260101T000000Z', 'public', 'ledger', now(), 'tester',
                '[{"schema": "public", "name": "ledger_view", "definition": "SELECT public.escalate() AS x"}]', '[]', '[]')
            """)

        let restored = restore("ledger", database: database, store: store)
        let error = try #require(restored.error, "\(restored.json.serialized())")
        #expect(error.code == .trashNotTrusted)
        #expect(error.message.contains("owned by \(low.name)"))
        #expect(error.message.contains("DROP SCHEMA pgassist_trash"))
        #expect(try low.isSuperuser == false)
        #expect(try database.scalar("SELECT to_regclass('public.ledger')::text") == nil)

        try database.execute("CREATE TABLE public.keep (id int); INSERT INTO public.keep VALUES (1)")
        let first = DropTableTool().execute(.object(["table": .string("keep")]), context: database.context(actions: store))
        let id = try #require(first.error?.details["actionId"]?.stringValue, "\(first.json.serialized())")
        let dropped = DropTableTool().execute(.object(["table": .string("keep")]),
                                              context: database.context(actions: store, approvedActionId: id))
        #expect(dropped.error?.code == .trashNotTrusted, "\(dropped.json.serialized())")
        #expect(try database.scalar("SELECT count(*) FROM public.keep") == "1", "the table stays where it was")
    }

    @Test("a trash pgassist made is refused once another role may create in it, write its logs or owns one", arguments: [
        "GRANT CREATE ON SCHEMA pgassist_trash TO %ROLE%",
        "GRANT CREATE ON SCHEMA pgassist_trash TO PUBLIC",
        "GRANT INSERT ON pgassist_trash.trash_log TO %ROLE%",
        "GRANT UPDATE ON pgassist_trash.trash_log TO PUBLIC",
        "GRANT TRUNCATE ON pgassist_trash.restore_log TO %ROLE%",
        "ALTER TABLE pgassist_trash.restore_log OWNER TO %ROLE%",
        "ALTER SCHEMA pgassist_trash OWNER TO %ROLE%",
    ])
    func writableTrash(plant: String) throws {
        let database = try ToolTestDatabase(prefix: "trashtrust")
        let low = try LowRole(database)
        let store = MemoryPendingActionStore()
        try database.execute("CREATE TABLE public.a (id int); CREATE TABLE public.b (id int)")
        _ = try dropWithApproval(.object(["table": .string("a")]), database: database, store: store)
        #expect(restore("a", database: database, store: store).isSuccess, "the restore log now exists")
        _ = try dropWithApproval(.object(["table": .string("a")]), database: database, store: store)
        #expect(try database.scalar("SELECT (pg_get_userbyid(nspowner) = current_user)::text FROM pg_namespace WHERE nspname = 'pgassist_trash'") == "true")
        #expect(try database.scalar("SELECT count(*) FROM pg_namespace n, aclexplode(n.nspacl) a WHERE nspname = 'pgassist_trash' AND a.grantee = 0") == "0",
                "PUBLIC holds nothing on the schema pgassist made")

        try database.execute(plant.replacingOccurrences(of: "%ROLE%", with: low.name))
        let restored = restore("a", database: database, store: store)
        #expect(restored.error?.code == .trashNotTrusted, "\(restored.json.serialized())")
        let first = DropTableTool().execute(.object(["table": .string("b")]), context: database.context(actions: store))
        let id = try #require(first.error?.details["actionId"]?.stringValue)
        let dropped = DropTableTool().execute(.object(["table": .string("b")]), context: database.context(actions: store, approvedActionId: id))
        #expect(dropped.error?.code == .trashNotTrusted, "\(dropped.json.serialized())")
        #expect(try database.scalar("SELECT to_regclass('public.b')::text") == "b")
    }

    @Test("who dropped a copy is the store's word: a forged trashed_by still asks, and a forged view or key definition never runs")
    func forgedLogRow() throws {
        let database = try ToolTestDatabase(prefix: "trashtrust")
        let low = try LowRole(database)
        let store = MemoryPendingActionStore()
        try database.execute("""
            CREATE TABLE public.ledger (id int PRIMARY KEY); INSERT INTO public.ledger VALUES (1);
            CREATE TABLE public.orders (ledger_id int REFERENCES public.ledger (id));
            CREATE VIEW public.ledger_view AS SELECT id FROM public.ledger;
            """)
        try low.run("CREATE FUNCTION public.escalate() RETURNS int LANGUAGE plpgsql AS $f$ BEGIN EXECUTE 'ALTER ROLE \(low.name) SUPERUSER'; RETURN 1; END $f$")
        _ = try dropWithApproval(.object(["table": .string("ledger"), "cascade": .bool(true)]), database: database, store: store, user: "ada")
        // What a role able to write the log could do: claim the copy is grace's, swap in definitions that escalate.
        try database.execute("""
            UPDATE pgassist_trash.trash_log SET trashed_by = 'grace',
                views = '[{"schema": "public", "name": "ledger_view", "definition": "SELECT public.escalate() AS x"}]',
                foreign_keys = '[{"schema": "public", "table": "orders", "name": "orders_ledger_id_fkey",
                                  "definition": "FOREIGN KEY (ledger_id) REFERENCES public.ledger(id) ON DELETE CASCADE"}]'
            """)

        let asked = restore("ledger", user: "grace", database: database, store: store)
        let error = try #require(asked.error, "\(asked.json.serialized())")
        #expect(error.code == .confirmationRequired, "the store says ada dropped it")
        #expect(error.details["impact"]?["trashedBy"] == .string("ada"))
        let id = try #require(error.details["actionId"]?.stringValue)
        let approved = restore("ledger", user: "grace", database: database, store: store, approvedActionId: id)
        let data = try #require(approved.data, "\(approved.json.serialized())")
        #expect(data["trashedBy"] == .string("ada"))
        let refused = (data["notRecreated"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        #expect(Set(refused) == ["ledger_view", "orders_ledger_id_fkey"], "\(data)")
        #expect(try low.isSuperuser == false)
        #expect(try database.scalar("SELECT to_regclass('public.ledger_view')::text") == nil)
        #expect(try database.scalar("SELECT trashed_by FROM pgassist_trash.restore_log") == "ada")
    }

    @Test("a copy the store never saw trashed asks approval even when the log names the user")
    func unknownCopy() throws {
        let database = try ToolTestDatabase(prefix: "trashtrust")
        let store = MemoryPendingActionStore()
        try database.execute("CREATE TABLE public.t (id int)")
        _ = try dropWithApproval(.object(["table": .string("t")]), database: database, store: store, user: "ada")
        let other = MemoryPendingActionStore(remembersTrash: false)
        let asked = restore("t", user: "ada", database: database, store: other)
        let error = try #require(asked.error, "\(asked.json.serialized())")
        #expect(error.code == .confirmationRequired)
        #expect(error.details["impact"]?["trashedBy"] == .null)
        #expect(error.message.contains("no record"))
    }
}
