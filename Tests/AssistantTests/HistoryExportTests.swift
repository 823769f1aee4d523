import AssistantHTTP
import ChatEngine
import Foundation
import HTTP
import Logging
import Operations
import Platform
import Policies
import Store
import TestSupport
import Testing

/// `GET /thread?export=1` answered in-process on both stores: every thread of the user, current and deleted,
/// with all its messages and runs, streamed in pages.
@Suite("History export")
struct HistoryExportTests {
    /// Collects a streamed body.
    private final class Collector: ResponseBodyWriter {
        var bytes: [UInt8] = []
        var sends = 0
        func send(_ bytes: [UInt8]) -> Bool {
            self.bytes += bytes
            sends += 1
            return true
        }
    }

    private func newRun(_ thread: ThreadRecord) -> NewRun {
        NewRun(threadId: thread.id, userId: thread.userId, projectRef: "p", worker: WorkerIdentity.current,
               assistantVersion: 3, model: "gpt-test", deadlineAt: WallClock.nowMilliseconds() + 60_000)
    }

    @Test("an export holds every thread of the user with all messages oldest first and the runs",
          arguments: [StoreKind.sqlite, .postgres])
    func export(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.open()
        // An old thread with one run, deleted; a current one longer than one export page (200 rows).
        let old = try store.currentOrNewThread(userId: "exporter", projectRef: "p")
        let oldRun = try #require(try store.startRun(newRun(old), userMessage: "first question")).run
        _ = try store.appendRunMessage(threadId: old.id, NewMessage(role: "assistant", content: "first answer", runId: oldRun.id))
        _ = try store.finishRun(id: oldRun.id, status: .completed, response: "first answer", errorCode: nil, errorMessage: nil)
        _ = try store.deleteCurrentThread(userId: "exporter")
        let current = try store.currentOrNewThread(userId: "exporter", projectRef: "p")
        let padding = String(repeating: "x", count: 300)
        for index in 1...230 {
            _ = try store.appendMessage(threadId: current.id, NewMessage(role: index % 2 == 1 ? "user" : "assistant",
                                                                               content: "m\(index) " + padding))
        }
        _ = try store.appendMessage(threadId: current.id, NewMessage(role: "tool", toolCallId: "call_1", toolResult: #"{"success":true}"#,
                                                                     toolName: "list_tables", durationMs: 12))
        _ = try store.currentOrNewThread(userId: "someone-else", projectRef: nil)

        let api = AssistantAPI(tools: .standard, store: try fixture.open(), configuration: AssistantConfiguration(), logger: Logger(label: "test"))
        let response = api.respond(to: HTTPRequest(method: "GET", path: "/api/ai/assistant/thread",
                                                   query: ["userId": "exporter", "export": "1"]))
        #expect(response.status == 200)
        #expect(response.header("content-type") == "application/json")
        #expect(response.header("content-disposition") == #"attachment; filename="pgassist-export-exporter.json""#)
        let stream = try #require(response.stream, "the export is streamed")
        let collector = Collector()
        stream.produce(collector)
        #expect(collector.sends >= 2, "written in chunks, not as one buffer")

        let document = try #require(try JSONSerialization.jsonObject(with: Data(collector.bytes)) as? [String: Any])
        #expect(document["userId"] as? String == "exporter")
        #expect(document["complete"] as? Bool == true)
        let threads = try #require(document["threads"] as? [[String: Any]])
        #expect(threads.map { $0["threadId"] as? String } == [old.id, current.id])
        #expect(threads[0]["deletedAt"] as? String != nil)
        #expect(threads[1]["deletedAt"] is NSNull)

        let oldMessages = threads[0]["messages"] as? [[String: Any]] ?? []
        #expect(oldMessages.map { $0["content"] as? String } == ["first question", "first answer"])
        let runs = threads[0]["runs"] as? [[String: Any]] ?? []
        #expect(runs.count == 1)
        #expect(runs.first?["runId"] as? String == oldRun.id)
        #expect(runs.first?["status"] as? String == "completed")
        #expect(runs.first?["model"] as? String == "gpt-test")
        #expect(runs.first?["completedAt"] as? String != nil)

        let messages = threads[1]["messages"] as? [[String: Any]] ?? []
        #expect(messages.count == 231)
        #expect(messages.compactMap { ($0["seq"] as? NSNumber)?.intValue } == Array(1...231), "every message once, oldest first")
        #expect(messages.first?["content"] as? String == "m1 " + padding)
        #expect(messages.last?["toolName"] as? String == "list_tables")
        #expect((messages.last?["durationMs"] as? NSNumber)?.intValue == 12)
        #expect((messages.last?["toolResult"] as? [String: Any])?["success"] as? Bool == true)
        #expect((threads[1]["runs"] as? [Any])?.isEmpty == true)
    }

    @Test("a user without threads gets an empty export; a user id is made safe for the file name")
    func emptyExport() throws {
        let fixture = try StoreFixture(.sqlite)
        let api = AssistantAPI(tools: .standard, store: try fixture.open(), configuration: AssistantConfiguration(), logger: Logger(label: "test"))
        let response = api.respond(to: HTTPRequest(method: "GET", path: "/api/ai/assistant/thread",
                                                   query: ["userId": #"a "b"/c"#, "export": "true"]))
        #expect(response.header("content-disposition") == #"attachment; filename="pgassist-export-a__b__c.json""#)
        let collector = Collector()
        response.stream?.produce(collector)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(collector.bytes)) as? [String: Any])
        #expect((document["threads"] as? [Any])?.isEmpty == true)
        #expect(document["complete"] as? Bool == true)
        #expect(try fixture.open().currentThread(userId: #"a "b"/c"#) == nil, "an export creates no thread")
        let bad = api.respond(to: HTTPRequest(method: "GET", path: "/api/ai/assistant/thread", query: ["userId": "a", "export": "yes"]))
        #expect(bad.status == 400)
    }
}
