import Foundation
import JSON
import QueryTools
import SchemaTools
import Testing
import ToolsCore
import TrashTools

/// restore_table in a project several users share: a user's own copies come back at once, another user's
/// only with the approval of the user asking, and every restore is logged with who dropped and who restored.
@Suite("restore_table: whose copy it is")
struct RestoreOwnershipTests {
    @Test("another user's trashed table needs approval, naming who dropped it; the restore log records both users")
    func otherUsersCopy() throws {
        let database = try ToolTestDatabase(prefix: "restoreowner")
        let store = MemoryPendingActionStore()
        try database.execute("CREATE TABLE public.ledger (id int PRIMARY KEY); INSERT INTO public.ledger VALUES (1)")
        let dropped = try dropWithApproval(.object(["table": .string("ledger")]), database: database, store: store, user: "ada")
        let trashedAs = try #require(dropped.data?["trashedAs"]?.stringValue, "\(dropped.json.serialized())")

        let asked = restore("ledger", user: "grace", database: database, store: store)
        let error = try #require(asked.error, "\(asked.json.serialized())")
        #expect(error.code == .confirmationRequired)
        #expect(error.details["impact"]?["trashedBy"] == .string("ada"))
        #expect(error.details["impact"]?["trashedAs"] == .string(trashedAs))
        #expect(error.message.contains("ada"))
        #expect(try database.scalar("SELECT to_regclass('public.ledger')::text") == nil, "nothing was restored yet")
        let actionId = try #require(error.details["actionId"]?.stringValue)

        // The approval is bound to the user who was asked.
        let stolen = restore("ledger", user: "ada", database: database, store: store, approvedActionId: actionId)
        #expect(stolen.error?.code == .invalidApproval, "\(stolen.json.serialized())")
        let approved = restore("ledger", user: "grace", database: database, store: store, approvedActionId: actionId)
        let data = try #require(approved.data, "\(approved.json.serialized())")
        #expect(data["trashedBy"] == .string("ada"))
        #expect(data["fromTrash"] == .string(trashedAs))
        #expect(try database.scalar("SELECT count(*) FROM public.ledger") == "1")
        #expect(try database.scalar("""
            SELECT original_name || ' ' || trashed_by || ' ' || restored_by FROM pgassist_trash.restore_log
            """) == "ledger ada grace")
        // Once used, the approval is gone.
        let again = restore("ledger", user: "grace", database: database, store: store, approvedActionId: actionId)
        #expect(again.error?.code == .invalidApproval)
    }

    @Test("without a store no copy is restored, not even one the log says is the user's: who dropped it cannot be checked")
    func withoutStore() throws {
        let database = try ToolTestDatabase(prefix: "restoreowner")
        let store = MemoryPendingActionStore()
        try database.execute("CREATE TABLE public.notes (id int)")
        _ = try dropWithApproval(.object(["table": .string("notes")]), database: database, store: store, user: "ada")
        #expect(restore("notes", user: "grace", database: database, store: nil).error?.code == .notConfigured)
        #expect(restore("notes", user: "ada", database: database, store: nil).error?.code == .notConfigured)
        #expect(try database.scalar("SELECT to_regclass('public.notes')::text") == nil)
        let own = restore("notes", user: "ada", database: database, store: store)
        #expect(own.isSuccess, "\(own.json.serialized())")
        #expect(try database.scalar("SELECT trashed_by || ' ' || restored_by FROM pgassist_trash.restore_log") == "ada ada")
    }

    @Test("without trashedName a user gets their own latest copy, even when another user trashed a newer one")
    func ownCopyFirst() throws {
        let database = try ToolTestDatabase(prefix: "restoreowner")
        let store = MemoryPendingActionStore()
        for (round, user) in [(1, "grace"), (2, "ada")] {
            try database.execute("CREATE TABLE public.t (round int); INSERT INTO public.t VALUES (\(round))")
            _ = try dropWithApproval(.object(["table": .string("t")]), database: database, store: store, user: user)
        }
        let own = restore("t", user: "grace", database: database, store: store)
        #expect(own.isSuccess, "\(own.json.serialized())")
        #expect(try database.scalar("SELECT round::text FROM public.t") == "1")
    }
}
