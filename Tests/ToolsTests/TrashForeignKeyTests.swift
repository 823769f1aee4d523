import Foundation
import JSON
import QueryTools
import SchemaTools
import Testing
import ToolsCore
import TrashTools

/// Finding 8 of issue 13: a table in the trash keeps no foreign keys to live tables (deletes there are neither
/// blocked by it nor cascade into it) and its triggers do not fire; restore brings both back as they were.
@Suite("drop_table: a trashed table is cut off from live data")
struct TrashForeignKeyTests {
    private static let setup = """
        CREATE TABLE public.customers (id int PRIMARY KEY); INSERT INTO public.customers VALUES (1), (2);
        CREATE TABLE public.products (id int PRIMARY KEY); INSERT INTO public.products VALUES (1), (2);
        CREATE TABLE public.audit (what text);
        CREATE TABLE public.orders (
            id int PRIMARY KEY,
            customer_id int REFERENCES public.customers (id),
            product_id int REFERENCES public.products (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
            parent_id int REFERENCES public.orders (id));
        CREATE FUNCTION public.audit_orders() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO public.audit VALUES (TG_OP); RETURN NULL; END $$;
        CREATE TRIGGER orders_audit AFTER INSERT OR UPDATE OR DELETE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.audit_orders();
        CREATE TRIGGER orders_always AFTER INSERT ON public.orders FOR EACH ROW EXECUTE FUNCTION public.audit_orders();
        ALTER TABLE public.orders ENABLE ALWAYS TRIGGER orders_always;
        CREATE TRIGGER orders_off AFTER INSERT ON public.orders FOR EACH ROW EXECUTE FUNCTION public.audit_orders();
        ALTER TABLE public.orders DISABLE TRIGGER orders_off;
        INSERT INTO public.orders VALUES (1, 1, 1, NULL), (2, 2, 2, 1);
        DELETE FROM public.audit;
        """

    private static let keys = """
        SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid), '; ' ORDER BY conname)
        FROM pg_constraint WHERE conrelid = 'public.orders'::regclass AND contype = 'f'
        """

    private static let triggers = """
        SELECT string_agg(tgname::text || '=' || tgenabled::text, ',' ORDER BY tgname) FROM pg_trigger t
        JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relname LIKE '%orders%' AND NOT tgisinternal
        """

    @Test("deletes in referenced tables are not blocked by and do not cascade into the trashed copy; its triggers stay off")
    func cutOff() throws {
        let database = try ToolTestDatabase(prefix: "trashfk")
        let store = MemoryPendingActionStore()
        try database.execute(Self.setup)
        let before = try database.scalar(Self.keys)
        let dropped = try dropWithApproval(.object(["table": .string("orders")]), database: database, store: store)
        let trashed = quotedTrashName(try #require(dropped.data?["trashedAs"]?.stringValue, "\(dropped.json.serialized())"))
        #expect(try database.scalar(Self.triggers) == "orders_always=D,orders_audit=D,orders_off=D")

        try database.execute("DELETE FROM public.customers WHERE id = 2")
        try database.execute("DELETE FROM public.products WHERE id = 2")
        #expect(try database.scalar("SELECT count(*) FROM \(trashed)") == "2", "ON DELETE CASCADE no longer reaches it")
        try database.execute("INSERT INTO \(trashed) VALUES (3, 1, 1, NULL)")
        #expect(try database.scalar("SELECT count(*) FROM public.audit") == "0", "no trigger fired")
        #expect(try database.scalar("""
            SELECT count(*) FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pgassist_trash' AND con.contype = 'f'
            AND con.confrelid <> con.conrelid
            """) == "0")

        // Dropping a table the trashed copy referenced no longer finds a dependent in the trash.
        let asked = DropTableTool().execute(.object(["table": .string("customers")]), context: database.context(actions: store))
        #expect(asked.error?.code == .confirmationRequired, "\(asked.json.serialized())")
        #expect(asked.error?.details["impact"]?["dependents"] == .array([]))

        // Back with what still holds: the key whose rows still match, the self-reference, the triggers as they were.
        try database.execute("DELETE FROM \(trashed) WHERE id = 3; INSERT INTO public.products VALUES (2)")
        let restored = RestoreTableTool().execute(.object(["table": .string("orders")]), context: database.context(actions: store))
        let data = try #require(restored.data, "\(restored.json.serialized())")
        #expect((data["recreated"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue } == ["orders_product_id_fkey"])
        #expect((data["notRecreated"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue } == ["orders_customer_id_fkey"],
                "customer 2 is gone, so that key cannot be validated")
        #expect(try database.scalar(Self.triggers) == "orders_always=A,orders_audit=O,orders_off=D")
        #expect(try database.scalar(Self.keys) == before?.replacingOccurrences(
            of: "orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers(id); ", with: ""))
    }

    @Test("restore recreates the table's own foreign keys exactly as they were")
    func roundTrip() throws {
        let database = try ToolTestDatabase(prefix: "trashfk")
        let store = MemoryPendingActionStore()
        try database.execute(Self.setup)
        let before = try database.scalar(Self.keys)
        _ = try dropWithApproval(.object(["table": .string("orders")]), database: database, store: store)
        let restored = RestoreTableTool().execute(.object(["table": .string("orders")]), context: database.context(actions: store))
        #expect(restored.data?["notRecreated"] == nil, "\(restored.json.serialized())")
        #expect(try database.scalar(Self.keys) == before)
        try database.execute("DELETE FROM public.products WHERE id = 2")
        #expect(try database.scalar("SELECT count(*) FROM public.orders") == "1", "ON DELETE CASCADE works again")
    }
}
