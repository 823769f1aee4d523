import ChatEngine
import Foundation
import JSON
import Store
import TestSupport
import Testing

@Suite("ChatService without HTTP: a real SQLite store, a real PostgreSQL database and the fake provider")
struct ChatServiceTests {
    @Test("a tool round: the model calls list_tables on the database, then answers; every step is stored and reported")
    func toolRound() throws {
        let fixture = try ChatServiceFixture()
        try fixture.provider.script([toolStep("list_tables", "{}"), textStep("There is one table, items.")])
        let events = RecordedEvents()
        let reply = try fixture.drive(.message("Which tables are there?"), events: events)

        #expect(reply.status == .completed)
        #expect(reply.response == "There is one table, items.")
        #expect(reply.failure == nil)
        let calls = try #require(reply.json["toolCalls"]?.arrayValue)
        #expect(calls.count == 1 && calls.first?["name"]?.stringValue == "list_tables" && calls.first?["success"]?.boolValue == true)
        #expect(events.kinds.filter { $0 != "delta" } == ["tool.started", "tool.completed"])
        #expect(events.text == "There is one table, items.", "the answer streamed as deltas")

        let run = try #require(try fixture.store.run(id: reply.runId, threadId: reply.threadId))
        #expect(run.status == .completed && run.response == "There is one table, items.")
        let roles = try fixture.store.recentMessages(threadId: reply.threadId, limit: 10).map(\.role)
        #expect(roles == ["user", "assistant", "tool", "assistant"])
        // The second model request carried the tool's real result from the database.
        let requests = try fixture.provider.requests()
        #expect(requests.count == 2)
        #expect(requests.last?.serialized().contains("items") == true)
    }

    @Test("an approval pauses the run with nothing done, and approving resumes it: the call runs, the run completes")
    func approvalPauseAndResume() throws {
        let fixture = try ChatServiceFixture(approvalTools: ["create_table"])
        let create = #"{"schema":"public","table":"notes","columns":[{"name":"id","type":"bigint","primaryKey":true}]}"#
        try fixture.provider.script([toolStep("create_table", create)])
        let paused = try fixture.drive(.message("Make a notes table."))

        #expect(paused.status == .requiresAction)
        let actionId = try #require(paused.pendingAction?["id"]?.stringValue)
        #expect(paused.pendingAction?["tool"]?.stringValue == "create_table")
        #expect(try fixture.scalar("SELECT to_regclass('public.notes') IS NULL") == "t", "nothing was created before approval")
        #expect(try fixture.store.activeRun(threadId: paused.threadId)?.status == .requiresAction)

        try fixture.provider.script([textStep("The notes table exists now.")])
        let resumed = try fixture.drive(.approve(actionId), threadId: paused.threadId)
        #expect(resumed.runId == paused.runId, "the same run goes on")
        #expect(resumed.status == .completed && resumed.response == "The notes table exists now.")
        #expect(try fixture.scalar("SELECT to_regclass('public.notes') IS NOT NULL") == "t")
        #expect(try fixture.store.activeRun(threadId: paused.threadId) == nil)
    }

    @Test("cancelling a run that waits for approval ends it and answers its call; nothing is done")
    func cancelWaitingRun() throws {
        let fixture = try ChatServiceFixture(approvalTools: ["create_table"])
        let create = #"{"schema":"public","table":"drafts","columns":[{"name":"id","type":"bigint","primaryKey":true}]}"#
        try fixture.provider.script([toolStep("create_table", create)])
        let paused = try fixture.drive(.message("Make a drafts table."))
        #expect(paused.status == .requiresAction)

        let start = try fixture.service.start(fixture.command(.cancel(paused.runId), threadId: paused.threadId))
        guard case .answered(let reply) = start else {
            Issue.record("a cancellation is answered at once, not driven: \(start)")
            return
        }
        #expect(reply.status == .cancelled)
        let run = try #require(try fixture.store.run(id: paused.runId, threadId: paused.threadId))
        #expect(run.status == .cancelled && run.errorCode == "cancelled_by_user")
        let last = try #require(try fixture.store.recentMessages(threadId: paused.threadId, limit: 10).last)
        #expect(last.role == "tool" && last.toolResult?.contains("cancelled") == true)
        #expect(try fixture.scalar("SELECT to_regclass('public.drafts') IS NULL") == "t")
        #expect(try fixture.provider.requests().count == 1, "the model was not called again")
    }

    @Test("a failed model call fails the run with the provider's code, reported to the events and kept in the store")
    func failedModelCall() throws {
        let fixture = try ChatServiceFixture()
        try fixture.provider.script([.object(["error": .object(["status": .number(401)])])])
        let events = RecordedEvents()
        let reply = try fixture.drive(.message("Hello?"), events: events)

        #expect(reply.status == .failed)
        #expect(reply.failure?.code == .providerAuthFailed)
        #expect(reply.failure?.message.contains(fixture.provider.apiKey) == false, "the key is not in the message")
        #expect(events.kinds == ["failed"])
        let run = try #require(try fixture.store.run(id: reply.runId, threadId: reply.threadId))
        #expect(run.status == .failed && run.errorCode == "provider_auth_failed")
        // The thread is free again: the next message starts a new run.
        try fixture.provider.script([textStep("Hi.")])
        #expect(try fixture.drive(.message("Hello again"), threadId: reply.threadId).status == .completed)
    }

    @Test("a run whose approval expired is ended when the thread is next used, and its call is answered")
    func expiredRun() throws {
        let fixture = try ChatServiceFixture(approvalTools: ["create_table"], approvalSeconds: 1)
        let create = #"{"schema":"public","table":"late","columns":[{"name":"id","type":"bigint","primaryKey":true}]}"#
        try fixture.provider.script([toolStep("create_table", create)])
        let paused = try fixture.drive(.message("Make a late table."))
        #expect(paused.status == .requiresAction)
        let actionId = try #require(paused.pendingAction?["id"]?.stringValue)

        // Before expiry a new message is refused: the thread waits for the decision.
        #expect(throws: ChatError.self) { _ = try fixture.service.start(fixture.command(.message("Anything?"), threadId: paused.threadId)) }
        Thread.sleep(forTimeInterval: 1.3)

        try fixture.provider.script([textStep("Starting over.")])
        let next = try fixture.drive(.message("Let's start over."), threadId: paused.threadId)
        #expect(next.status == .completed && next.runId != paused.runId)
        let expired = try #require(try fixture.store.run(id: paused.runId, threadId: paused.threadId))
        #expect(expired.status == .expired && expired.errorCode == "approval_expired")
        // The expired approval cannot act any more.
        do {
            _ = try fixture.service.start(fixture.command(.approve(actionId), threadId: paused.threadId))
            Issue.record("an expired approval was accepted")
        } catch {
            #expect(error.code == .actionNotFound)
        }
        #expect(try fixture.scalar("SELECT to_regclass('public.late') IS NULL") == "t")
    }
}
