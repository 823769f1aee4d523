import Foundation
import Platform
import SharedCounters
import TestSupport
import Testing

/// The counter file the worker processes share: separate mappings of one file (as separate processes
/// have), atomic adds from many threads, slots claimed by pid and reclaimed when their process is gone.
@Suite("Counter file")
struct CounterFileTests {
    private static let layout = CounterFileLayout(counters: 5, slots: 4, description: "test counters")

    @Test("two mappings of one file, each its own process slot, add up every increment from many threads")
    func twoMappingsManyThreads() throws {
        let directory = try TemporaryDirectory(prefix: "pgassist-counters")
        let path = directory.file("counters")
        let sleeper = try LiveProcess()
        defer { sleeper.stop() }
        let first = try CounterFile(path: path, layout: Self.layout)
        let second = try CounterFile(path: path, layout: Self.layout)
        let mine = try #require(first.claimSlot())
        let other = try #require(second.claimSlot(for: sleeper.identity))
        let threads = 8, rounds = 20_000
        _ = try concurrently(threads) { index in
            let slot = index.isMultiple(of: 2) ? mine : other
            for round in 0..<rounds {
                slot.add(0)
                slot.add(1 + round % 4, 2)
            }
        }
        let snapshot = first.snapshot()
        #expect(snapshot.totals[0] == UInt64(threads * rounds))
        #expect(snapshot.totals[1...].reduce(0, +) == UInt64(threads * rounds * 2))
        #expect(Set(snapshot.processes.map(\.pid)) == [getpid(), sleeper.identity.pid])
        #expect(snapshot.processes.allSatisfy { $0.counters[0] == UInt64(threads / 2 * rounds) })
        // The other mapping reads the same totals.
        #expect(second.snapshot().totals == snapshot.totals)
    }

    @Test("a process claims one slot however often it asks")
    func claimIsStable() throws {
        let directory = try TemporaryDirectory(prefix: "pgassist-counters")
        let file = try CounterFile(path: directory.file("counters"), layout: Self.layout)
        let slot = try #require(file.claimSlot())
        slot.add(2, 7)
        let again = try #require(file.claimSlot())
        again.add(2)
        #expect(file.snapshot().processes.count == 1)
        #expect(file.snapshot().processes.first?.counters[2] == 8)
    }

    @Test("the slot of a process that is gone is folded into the retired slot and freed: totals never go back")
    func reclaimGoneProcess() throws {
        let directory = try TemporaryDirectory(prefix: "pgassist-counters")
        let path = directory.file("counters")
        let file = try CounterFile(path: path, layout: CounterFileLayout(counters: 3, slots: 1, description: "one slot"))
        let worker = try LiveProcess()
        let slot = try #require(file.claimSlot(for: worker.identity))
        slot.add(0, 5)
        slot.add(2, 11)
        // Its only slot is taken by a live process: this one gets none.
        #expect(file.claimSlot() == nil)
        file.overflowSlot.add(0)
        let before = file.snapshot()
        #expect(before.totals == [6, 0, 11])
        #expect(before.processes.map(\.pid) == [worker.identity.pid])

        worker.stop()
        let after = file.snapshot()
        #expect(after.totals == [6, 0, 11])
        #expect(after.processes.isEmpty)
        let mine = try #require(file.claimSlot(), "the freed slot can be claimed again")
        mine.add(0)
        #expect(file.snapshot().totals == [7, 0, 11])
        #expect(file.snapshot().processes.first?.counters == [1, 0, 0], "a reclaimed slot starts from zero")
    }

    @Test("a pid now used by another process does not keep a dead process's slot")
    func reusedPid() throws {
        let directory = try TemporaryDirectory(prefix: "pgassist-counters")
        let file = try CounterFile(path: directory.file("counters"), layout: Self.layout)
        let current = ProcessIdentity.current
        // Same pid, another start time: an earlier process that had this pid.
        let earlier = ProcessIdentity(pid: current.pid, startTicks: current.startTicks &- 1)
        #expect(!earlier.isAlive)
        try #require(file.claimSlot(for: earlier)).add(1, 3)
        let snapshot = file.snapshot()
        #expect(snapshot.processes.isEmpty)
        #expect(snapshot.totals[1] == 3)
    }

    @Test("counts survive reopening the file; a file of another layout is refused")
    func reopenAndLayoutMismatch() throws {
        let directory = try TemporaryDirectory(prefix: "pgassist-counters")
        let path = directory.file("counters")
        do {
            let file = try CounterFile(path: path, layout: Self.layout)
            try #require(file.claimSlot()).add(4, 9)
        }
        let reopened = try CounterFile(path: path, layout: Self.layout)
        #expect(reopened.snapshot().totals[4] == 9)
        #expect(reopened.isShared)

        for other in [CounterFileLayout(counters: 5, slots: 4, description: "other counters"),
                      CounterFileLayout(counters: 6, slots: 4, description: "test counters")] {
            do {
                _ = try CounterFile(path: path, layout: other)
                Issue.record("a file of another layout was accepted")
            } catch {
                #expect(error.code == .layoutMismatch)
            }
        }
        do {
            _ = try CounterFile(path: directory.file("missing/counters"), layout: Self.layout)
            Issue.record("a file in a missing folder was opened")
        } catch {
            #expect(error.code == .systemCall)
            #expect(error.call == "open")
        }
    }

    @Test("private counters behave the same but are nobody else's")
    func privateCounters() throws {
        let file = CounterFile(privateWith: Self.layout)
        #expect(!file.isShared)
        let slot = try #require(file.claimSlot())
        _ = try concurrently(4) { _ in for _ in 0..<1_000 { slot.add(3) } }
        #expect(file.snapshot().totals[3] == 4_000)
        slot.add(99)
        #expect(file.snapshot().totals.count == 5, "an index outside the layout is ignored")
    }
}

/// A live child process (`sleep`) whose identity a test can claim a slot for, and stop to make it gone.
private final class LiveProcess: @unchecked Sendable {
    let process: Process
    let identity: ProcessIdentity

    init() throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: try Command.resolve("sleep"))
        process.arguments = ["60"]
        try process.run()
        guard let identity = ProcessIdentity.of(process.processIdentifier) else {
            process.terminate()
            throw TestSupportError("the sleep process vanished at once")
        }
        self.identity = identity
    }

    /// Kills it and reaps it, so it is gone (not a zombie).
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}
