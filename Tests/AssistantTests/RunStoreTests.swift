import ChatEngine
import Operations
import Platform
import Policies
import Store
import TestSupport
import Testing

/// Runs in the store, on both databases: one active run per thread, transitions that happen once.
@Suite("Run store")
struct RunStoreTests {
    static let kinds: [StoreKind] = [.sqlite, .postgres]

    private func newRun(_ thread: ThreadRecord) -> NewRun {
        NewRun(threadId: thread.id, userId: thread.userId, projectRef: "p", worker: WorkerIdentity.current,
               assistantVersion: nil, model: "m", deadlineAt: WallClock.nowMilliseconds() + 60_000)
    }

    @Test("a run starts with its user message; a second active run on the thread is refused and writes nothing",
          arguments: kinds)
    func oneActiveRun(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.open()
        let thread = try store.currentOrNewThread(userId: "u1", projectRef: nil)
        let started = try #require(try store.startRun(newRun(thread), userMessage: "hello"))
        #expect(started.run.status == .inProgress)
        #expect(started.message?.content == "hello")
        #expect(started.message?.runId == started.run.id)

        let other = try fixture.open()
        #expect(try other.startRun(newRun(thread), userMessage: "second") == nil)
        #expect(try other.recentMessages(threadId: thread.id, limit: 10).map(\.content) == ["hello"])
        #expect(try other.activeRun(threadId: thread.id)?.id == started.run.id)

        #expect(try store.finishRun(id: started.run.id, status: .completed, response: "hi", errorCode: nil, errorMessage: nil))
        #expect(try !other.finishRun(id: started.run.id, status: .cancelled, response: nil, errorCode: nil, errorMessage: nil),
                "an ended run cannot end again")
        #expect(try other.run(id: started.run.id, threadId: thread.id)?.status == .completed)
        #expect(try other.startRun(newRun(thread), userMessage: "next") != nil, "the thread is free again")
    }

    @Test("pause and resume happen once, and only for the pending action", arguments: kinds)
    func pauseResume(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.open()
        let thread = try store.currentOrNewThread(userId: "u2", projectRef: nil)
        let run = try #require(try store.startRun(newRun(thread), userMessage: "drop it")).run
        let later = WallClock.nowMilliseconds() + 60_000
        #expect(try store.pauseRun(id: run.id, actionId: "act_1", callId: "call_1", deadlineAt: later))
        let waiting = try #require(try store.activeRun(threadId: thread.id))
        #expect(waiting.status == .requiresAction)
        #expect(waiting.pendingActionId == "act_1")
        #expect(waiting.pendingCallId == "call_1")
        #expect(waiting.worker == nil)

        #expect(try !store.resumeRun(id: run.id, actionId: "act_other", worker: "w", deadlineAt: later))
        #expect(try store.resumeRun(id: run.id, actionId: "act_1", worker: "w", deadlineAt: later))
        #expect(try !fixture.open().resumeRun(id: run.id, actionId: "act_1", worker: "w2", deadlineAt: later),
                "a second resume of the same approval loses")
        #expect(try store.activeRun(threadId: thread.id)?.status == .inProgress)
    }

    @Test("another user's thread is not found", arguments: kinds)
    func ownThreadsOnly(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let store = try fixture.open()
        let thread = try store.currentOrNewThread(userId: "owner", projectRef: nil)
        #expect(try store.thread(id: thread.id, userId: "owner")?.id == thread.id)
        #expect(try store.thread(id: thread.id, userId: "intruder") == nil)
    }

    @Test("this process is alive; a pid that does not exist, or a reused pid, is gone")
    func workerIdentity() {
        #expect(!WorkerIdentity.isGone(WorkerIdentity.current))
        let parts = WorkerIdentity.current.split(separator: "/").map(String.init)
        #expect(WorkerIdentity.isGone("\(parts[0])/999999999/1"))
        #expect(WorkerIdentity.isGone("\(parts[0])/\(parts[1])/\(parts[2])0"), "same pid, other start time")
        #expect(!WorkerIdentity.isGone("some-other-host/1/1"), "other hosts are left to the deadline")
    }

    @Test("a driver whose run was ended elsewhere stores nothing more in the thread", arguments: kinds)
    func fencedByRunState(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let driver = try fixture.open()
        let thread = try driver.currentOrNewThread(userId: "u-fence", projectRef: nil)
        let run = try #require(try driver.startRun(newRun(thread), userMessage: "hello")).run
        _ = try driver.appendRunMessage(threadId: thread.id, NewMessage(role: "assistant", content: "first round", runId: run.id))

        // Another worker expires the run (its driver looked gone).
        #expect(try fixture.open().finishRun(id: run.id, status: .expired, response: nil, errorCode: "worker_lost",
                                             errorMessage: nil))
        let error = #expect(throws: StoreError.self) {
            try driver.appendRunMessage(threadId: thread.id, NewMessage(role: "assistant", content: "too late", runId: run.id))
        }
        #expect(error?.code == .runNotActive)
        #expect(try driver.recentMessages(threadId: thread.id, limit: 10).map(\.content) == ["hello", "first round"])
        #expect(try driver.currentThread(userId: "u-fence")?.messageCount == 2)

        // Messages outside a run (a closed call's result) are not fenced.
        _ = try driver.appendRunMessage(threadId: thread.id, NewMessage(role: "tool", toolCallId: "call_1", toolResult: "{}"))
        #expect(try driver.currentThread(userId: "u-fence")?.messageCount == 3)
    }
}
