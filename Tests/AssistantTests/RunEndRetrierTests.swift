import AssistantHTTP
import ChatEngine
import Foundation
import Logging
import Operations
import Platform
import Policies
import Store
import TestSupport
import Testing

/// A run's end that the store could not take during an outage is written once the store is back.
@Suite("Run end retries")
struct RunEndRetrierTests {
    @Test("an ending handed over during a store outage is stored when the store comes back")
    func writtenAfterOutage() throws {
        let server = try PrivatePostgresServer()
        defer { server.release() }
        let location = StoreLocation.postgres(connectionString: try server.createDatabase(prefix: "runends"))
        let store = try SQLThreadStore(location: location)
        try store.migrate()
        let thread = try store.currentOrNewThread(userId: "u-outage", projectRef: nil)
        let run = try #require(try store.startRun(NewRun(threadId: thread.id, userId: thread.userId, projectRef: nil,
                                                         worker: WorkerIdentity.current, assistantVersion: nil, model: "m",
                                                         deadlineAt: WallClock.nowMilliseconds() + 60_000),
                                                  userMessage: "hello")).run
        let retrier = RunEndRetrier(logger: Logger(label: "test")) { () throws(StoreError) -> any RunStore in
            try SQLThreadStore(location: location)
        }

        try server.stop()
        retrier.add(RunEndRetrier.Ending(runId: run.id, status: .failed, errorCode: "store_unavailable",
                                         errorMessage: "The thread store cannot be reached.",
                                         giveUpAt: WallClock.nowMilliseconds() + 60_000))
        Thread.sleep(forTimeInterval: 1.5)
        #expect(retrier.pendingCount == 1, "kept while the store is down")
        try server.start()

        #expect(eventually(within: 15) { retrier.pendingCount == 0 })
        let stored = try SQLThreadStore(location: location).run(id: run.id, threadId: thread.id)
        #expect(stored?.status == .failed)
        #expect(stored?.errorCode == "store_unavailable")
    }

    @Test("an ending past its run's deadline is dropped (any worker expires that run anyway)")
    func droppedAfterDeadline() throws {
        let fixture = try StoreFixture(.sqlite)
        let store = try fixture.open()
        let thread = try store.currentOrNewThread(userId: "u-late", projectRef: nil)
        let run = try #require(try store.startRun(NewRun(threadId: thread.id, userId: thread.userId, projectRef: nil,
                                                         worker: WorkerIdentity.current, assistantVersion: nil, model: "m",
                                                         deadlineAt: WallClock.nowMilliseconds() + 60_000),
                                                  userMessage: "hello")).run
        let location = fixture.location
        let retrier = RunEndRetrier(logger: Logger(label: "test")) { () throws(StoreError) -> any RunStore in
            try SQLThreadStore(location: location)
        }
        retrier.add(RunEndRetrier.Ending(runId: run.id, status: .failed, errorCode: "x", errorMessage: nil,
                                         giveUpAt: WallClock.nowMilliseconds() - 1))
        #expect(eventually(within: 10) { retrier.pendingCount == 0 })
        #expect(try store.run(id: run.id, threadId: thread.id)?.status == .inProgress)
    }
}
