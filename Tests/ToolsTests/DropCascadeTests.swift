import JSON
import QueryTools
import SchemaTools
import Testing
import ToolsCore
import TrashTools

/// Finding 2 of issue 13: drop_table shows everything `DROP … CASCADE` would remove before approval (from
/// `pg_depend`, recursively), says what a move to the trash cannot keep, and lists what was removed.
@Suite("drop_table: the whole cascade")
struct DropCascadeTests {
    /// `accounts` with a policy on another table, a function of its row type, an inheriting table with rows,
    /// another table's column of its row type, a trigger, an owned sequence, a view and a foreign key.
    private static let setup = """
        CREATE TABLE public.accounts (id int PRIMARY KEY, owner text, seq bigserial);
        INSERT INTO public.accounts (id, owner) VALUES (1, 'a'), (2, 'b');
        CREATE TABLE public.secrets (id int, account_id int);
        ALTER TABLE public.secrets ENABLE ROW LEVEL SECURITY;
        CREATE POLICY only_known ON public.secrets AS RESTRICTIVE USING (account_id IN (SELECT id FROM public.accounts));
        CREATE FUNCTION public.all_accounts() RETURNS SETOF public.accounts LANGUAGE sql AS 'SELECT * FROM public.accounts';
        CREATE TABLE public.accounts_archive (archived_at timestamptz) INHERITS (public.accounts);
        INSERT INTO public.accounts_archive (id, owner) VALUES (3, 'c'), (4, 'd'), (5, 'e');
        CREATE TABLE public.snapshots (id int, account public.accounts);
        CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE TRIGGER accounts_touch BEFORE UPDATE ON public.accounts FOR EACH ROW EXECUTE FUNCTION public.touch();
        """
    private static let dependents = """
        CREATE VIEW public.account_names AS SELECT owner FROM public.accounts;
        CREATE TABLE public.payments (account_id int REFERENCES public.accounts (id));
        """

    private static let expected: [String: String] = [
        "policy": "only_known on public.secrets",
        "function": "public.all_accounts()",
        "table": "public.accounts_archive",
        "column": "public.snapshots.account",
        "trigger": "accounts_touch on public.accounts",
        "sequence": "public.accounts_seq_seq",
        "view": "public.account_names",
        "foreign_key": "payments_account_id_fkey on public.payments",
    ]

    private func identities(_ list: JSONValue?) -> [String: String] {
        var found: [String: String] = [:]
        for item in list?.arrayValue ?? [] {
            if let type = item["type"]?.stringValue, let identity = item["identity"]?.stringValue { found[type] = identity }
        }
        return found
    }

    @Test("purge with cascade shows every object DROP CASCADE removes before approval, and the answer lists them")
    func purgeShowsCascade() throws {
        let database = try ToolTestDatabase(prefix: "cascade")
        let store = MemoryPendingActionStore()
        try database.execute(Self.setup + Self.dependents)
        let arguments: JSONValue = .object(["table": .string("accounts"), "purge": .bool(true), "cascade": .bool(true)])
        let first = DropTableTool().execute(arguments, context: database.context(actions: store))
        let error = try #require(first.error, "\(first.json.serialized())")
        #expect(error.code == .confirmationRequired)
        let removes = error.details["impact"]?["removes"]
        #expect(identities(removes) == Self.expected, "\(removes?.serialized() ?? "none")")
        let child = (removes?.arrayValue ?? []).first { $0["type"] == .string("table") }
        #expect(child?["rows"] == .number(3), "the inheriting table's rows are counted")

        let id = try #require(error.details["actionId"]?.stringValue)
        let dropped = DropTableTool().execute(arguments, context: database.context(actions: store, approvedActionId: id))
        let data = try #require(dropped.data, "\(dropped.json.serialized())")
        #expect(identities(data["removed"]) == Self.expected)
        #expect(try database.scalar("""
            SELECT (SELECT count(*) FROM pg_policy WHERE polname = 'only_known')
                 + (SELECT count(*) FROM pg_proc WHERE proname = 'all_accounts')
                 + (SELECT count(*) FROM pg_class WHERE relname IN ('accounts_archive', 'account_names', 'accounts_seq_seq'))
                 + (SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.snapshots'::regclass AND attname = 'account' AND NOT attisdropped)
                 + (SELECT count(*) FROM pg_constraint WHERE conname = 'payments_account_id_fkey')
            """) == "0", "everything listed is gone, as shown")
    }

    @Test("purge without cascade is refused before approval, naming the objects outside the table it would remove")
    func purgeNeedsCascade() throws {
        let database = try ToolTestDatabase(prefix: "cascade")
        let store = MemoryPendingActionStore()
        try database.execute(Self.setup)
        let result = DropTableTool().execute(.object(["table": .string("accounts"), "purge": .bool(true)]),
                                             context: database.context(actions: store))
        let error = try #require(result.error, "\(result.json.serialized())")
        #expect(error.code == .dependentObjects)
        for name in ["only_known on public.secrets", "public.all_accounts()", "public.accounts_archive", "public.snapshots.account"] {
            #expect(error.message.contains(name), "\(error.message)")
        }
        #expect(try database.scalar("SELECT count(*) FROM pg_policy WHERE polname = 'only_known'") == "1")
    }

    @Test("a purge approved before a new dependent appeared asks again, showing it")
    func newDependentAsksAgain() throws {
        let database = try ToolTestDatabase(prefix: "cascade")
        let store = MemoryPendingActionStore()
        try database.execute(Self.setup)
        let arguments: JSONValue = .object(["table": .string("accounts"), "purge": .bool(true), "cascade": .bool(true)])
        let first = DropTableTool().execute(arguments, context: database.context(actions: store))
        let id = try #require(first.error?.details["actionId"]?.stringValue)
        try database.execute("CREATE FUNCTION public.first_account() RETURNS public.accounts LANGUAGE sql AS 'SELECT * FROM public.accounts LIMIT 1'")
        let again = DropTableTool().execute(arguments, context: database.context(actions: store, approvedActionId: id))
        let error = try #require(again.error, "\(again.json.serialized())")
        #expect(error.code == .confirmationRequired)
        #expect((error.details["impact"]?["removes"]?.arrayValue ?? []).contains { $0["identity"] == .string("public.first_account()") })
        #expect(try database.scalar("SELECT to_regclass('public.accounts')::text") == "accounts")
    }

    @Test("a move to the trash says before approval what it cannot keep and what keeps using the trashed copy")
    func trashSaysWhatItCannotKeep() throws {
        let database = try ToolTestDatabase(prefix: "cascade")
        let store = MemoryPendingActionStore()
        try database.execute(Self.setup + Self.dependents + """
            CREATE TABLE public.owners (name text PRIMARY KEY); INSERT INTO public.owners VALUES ('a'), ('b');
            ALTER TABLE public.accounts ADD FOREIGN KEY (owner) REFERENCES public.owners (name);
            """)
        let arguments: JSONValue = .object(["table": .string("accounts"), "cascade": .bool(true)])
        let first = DropTableTool().execute(arguments, context: database.context(actions: store))
        let impact = try #require(first.error?.details["impact"], "\(first.json.serialized())")
        let names = { (list: JSONValue?) in Set((list?.arrayValue ?? []).compactMap { $0["name"]?.stringValue ?? $0["identity"]?.stringValue }) }
        let notKept = names(impact["notKept"])
        #expect(notKept == ["account_names", "payments_account_id_fkey", "accounts_owner_fkey", "accounts_touch on public.accounts"],
                "\(impact.serialized())")
        #expect((impact["notKept"]?.arrayValue ?? []).allSatisfy { $0["note"]?.stringValue != nil })
        #expect(identities(impact["stayLinked"]) == [
            "policy": "only_known on public.secrets", "function": "public.all_accounts()",
            "table": "public.accounts_archive", "column": "public.snapshots.account",
        ])
        let id = try #require(first.error?.details["actionId"]?.stringValue)
        let dropped = DropTableTool().execute(arguments, context: database.context(actions: store, approvedActionId: id))
        let data = try #require(dropped.data, "\(dropped.json.serialized())")
        #expect(names(data["notKept"]) == notKept)
    }
}
