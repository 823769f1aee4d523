import Foundation
import HTTPClient
import JSON
import Postgres
import TestSupport
import Testing

/// Approvals through the chat endpoint are bound to the database and project they were asked for: approving
/// with another `connectionString` (another database, role or server) or `projectRef` does nothing and leaves
/// the action waiting, for every tool that asks approval.
@Suite("Chat: approvals bound to their database and project", .serialized)
struct ChatApprovalTargetTests {
    /// A second database like the harness's, whose `invoice` has many more rows.
    private func otherDatabase() throws -> String {
        let url = try FixtureDatabase.create(prefix: "chatother")
        try PostgresConnection(connectionString: url).execute("INSERT INTO public.invoice SELECT g, NULL FROM generate_series(3, 50000) g")
        return url
    }

    private func exists(_ relation: String, in url: String) throws -> Bool {
        try PostgresConnection(connectionString: url).query("SELECT to_regclass($1)::text", [relation]).string(0, 0) != nil
    }

    /// Approving `actionId` with each of `targets` (connection string, project) is 403 invalid_approval and calls no model.
    private func expectMismatches(_ harness: ChatHarness, actionId: String, threadId: String, userId: String = "ada",
                                  _ targets: [(String, String)]) throws {
        let calls = try harness.provider.requests().count
        for (connectionString, project) in targets {
            let refused = try harness.chat(["approve": .string(actionId), "threadId": .string(threadId),
                                            "connectionString": .string(connectionString), "projectRef": .string(project)],
                                           userId: userId)
            #expect(refused.status == 403, "\(project): \(refused.text)")
            #expect(refused.errorCode == "invalid_approval", "\(refused.text)")
        }
        #expect(try harness.provider.requests().count == calls, "a refused approval never reaches the model")
    }

    @Test("drop_table: approving with another database, role or project drops nothing; the right one drops only there")
    func dropTable() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        let other = try otherDatabase()
        let separator = harness.databaseURL.contains("?") ? "&" : "?"
        let secret = "pw-\(UInt32.random(in: 100_000...999_999))-secret"
        try harness.provider.script([toolStep([("drop_table", #"{"table":"invoice"}"#)])])
        let paused = try harness.chat(["message": .string("drop the invoice table"),
                                       "connectionString": .string(harness.databaseURL + separator + "password=\(secret)")])
        let actionId = try #require((paused.json["pendingAction"] as? [String: Any])?["id"] as? String, "\(paused.text)")
        let threadId = try #require(paused.json["threadId"] as? String)

        let otherRole = harness.databaseURL.replacingOccurrences(of: "postgresql://postgres@", with: "postgresql://other_role@")
        try #require(otherRole != harness.databaseURL, "the fixture's URL names the postgres role")
        try expectMismatches(harness, actionId: actionId, threadId: threadId,
                             [(other, "proj_1"), (harness.databaseURL, "proj_2"), (otherRole, "proj_1")])
        #expect(try exists("public.invoice", in: harness.databaseURL) && exists("public.invoice", in: other))
        #expect(try harness.trashedCopies(of: "invoice").isEmpty)

        // The same database, without the password and with a TLS mode: the same target, so the approval acts.
        try harness.provider.script([textStep("It is in the trash.")])
        let approved = try harness.chat(["approve": .string(actionId), "threadId": .string(threadId),
                                         "connectionString": .string(harness.databaseURL + separator + "sslmode=disable")])
        try #require(approved.status == 200, "\(approved.text)\n\(harness.logs)")
        #expect(approved.json["status"] as? String == "completed", "\(approved.text)")
        #expect(approved.toolCalls.first?["success"] as? Bool == true, "\(approved.text)")
        #expect(try !exists("public.invoice", in: harness.databaseURL))
        #expect(try PostgresConnection(connectionString: other).query("SELECT count(*) FROM public.invoice").int(0, 0) == 50_000)

        let store = try Data(contentsOf: URL(fileURLWithPath: try #require(harness.service.sqlitePath)))
        let log = (try? Data(contentsOf: URL(fileURLWithPath: (harness.service.sqlitePath ?? "") + "-wal"))) ?? Data()
        #expect(store.range(of: Data(secret.utf8)) == nil && log.range(of: Data(secret.utf8)) == nil,
                "the store keeps a digest of the target, never the password")
    }

    @Test("a tool under APPROVAL_TOOLS (create_table): approving with another database creates nothing there")
    func approvalTools() throws {
        let harness = try ChatHarness(environment: ["APPROVAL_TOOLS": "create_table"])
        defer { harness.stop() }
        let other = try otherDatabase()
        let create = #"{"table":"audit_notes","columns":[{"name":"id","type":"bigint","primaryKey":true}]}"#
        try harness.provider.script([toolStep([("create_table", create)])])
        let paused = try harness.say("make an audit_notes table")
        let actionId = try #require((paused.json["pendingAction"] as? [String: Any])?["id"] as? String, "\(paused.text)")
        let threadId = try #require(paused.json["threadId"] as? String)
        try expectMismatches(harness, actionId: actionId, threadId: threadId, [(other, "proj_1"), (harness.databaseURL, "other")])
        #expect(try !exists("public.audit_notes", in: other) && !exists("public.audit_notes", in: harness.databaseURL))

        try harness.provider.script([textStep("Created.")])
        let approved = try harness.chat(["approve": .string(actionId), "threadId": .string(threadId)])
        try #require(approved.status == 200, "\(approved.text)\n\(harness.logs)")
        #expect(approved.toolCalls.first?["success"] as? Bool == true, "\(approved.text)")
        #expect(try exists("public.audit_notes", in: harness.databaseURL))
        #expect(try !exists("public.audit_notes", in: other))
    }

    @Test("restore_table of another user's copy: approving with another database restores nothing")
    func restoreOtherUsersCopy() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        let other = try otherDatabase()
        try harness.provider.script([toolStep([("drop_table", #"{"table":"invoice"}"#)])])
        let dropping = try harness.say("drop the invoice table")
        let dropId = try #require((dropping.json["pendingAction"] as? [String: Any])?["id"] as? String, "\(dropping.text)")
        try harness.provider.script([textStep("Dropped.")])
        let dropped = try harness.chat(["approve": .string(dropId), "threadId": .string(dropping.json["threadId"] as? String ?? "")])
        try #require(dropped.json["status"] as? String == "completed", "\(dropped.text)\n\(harness.logs)")

        try harness.provider.script([toolStep([("restore_table", #"{"table":"invoice"}"#)])])
        let paused = try harness.say("bring invoice back", userId: "grace")
        let action = try #require(paused.json["pendingAction"] as? [String: Any], "\(paused.text)")
        #expect(action["tool"] as? String == "restore_table")
        let actionId = try #require(action["id"] as? String)
        let threadId = try #require(paused.json["threadId"] as? String)
        try expectMismatches(harness, actionId: actionId, threadId: threadId, userId: "grace",
                             [(other, "proj_1"), (harness.databaseURL, "proj_9")])
        #expect(try !exists("public.invoice", in: harness.databaseURL))

        try harness.provider.script([textStep("It is back.")])
        let approved = try harness.chat(["approve": .string(actionId), "threadId": .string(threadId)], userId: "grace")
        try #require(approved.status == 200, "\(approved.text)\n\(harness.logs)")
        #expect(approved.toolCalls.first?["success"] as? Bool == true, "\(approved.text)")
        #expect(try exists("public.invoice", in: harness.databaseURL))
    }
}
