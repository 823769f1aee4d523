import Foundation
import JSON
import TestSupport
import Testing

/// Many chat turns with tool calls from several users at once, through nginx, while workers are SIGKILLed at
/// random moments, the model fails (429, 500, slow and cut-off answers) and the user's database (and a
/// PostgreSQL store) restart. Afterwards the store is read directly: nothing the client was told about is
/// lost or doubled, every tool call has exactly one result, no run is left holding its thread, and every
/// thread continues.
///
/// `PGASSIST_FAULT_TURNS` sets the number of turns (default 500, as the reliability issue asks; fewer for a quick look) and
/// `PGASSIST_FAULT_SEED` replays a run (each run prints its seed); `PGASSIST_FAULT_SEED=random` draws a new one.
@Suite("Chat fault injection", .serialized, .timeLimit(.minutes(20)))
struct ChatFaultInjectionTests {
    private static let users = 4

    @Test("chat turns under worker kills, model failures and database restarts lose nothing and every thread continues",
          arguments: ["sqlite", "postgres"])
    func turnsUnderFaults(store: String) throws {
        let seed = faultSeed()
        let turns = faultTurns()
        print("ChatFaultInjectionTests[\(store)]: seed \(seed), \(turns) turns (replay: PGASSIST_FAULT_SEED=\(seed))")
        let deployment = try FaultDeployment(store: store)
        defer { deployment.stop() }
        var generator = SeededGenerator(seed: seed)
        try deployment.provider.scriptLoop(faultScript(length: 251, using: &generator))

        let clients = (0..<Self.users).map { index in
            FaultClient(baseURL: deployment.service.baseURL, user: "fault-\(store)-\(index)", databaseURL: deployment.targetURL)
        }
        let threadIds = try clients.map { try $0.threadId() }
        let log = TurnLog()
        let chaos = Chaos(deployment: deployment, turns: log, totalTurns: turns, seed: seed)
        let started = Date()
        chaos.start()
        let perUser = (turns + Self.users - 1) / Self.users
        _ = try concurrently(Self.users) { index in
            var generator = SeededGenerator(seed: seed &+ UInt64(index + 1) &* 0x9E37)
            for turn in 0..<perUser {
                let token = "tok-\(index)-\(turn)-\(String(generator.next() % 46_656, radix: 36))"
                let outcome = clients[index].turn(token: token, threadId: threadIds[index], stream: generator.chance(0.2))
                log.append(outcome)
                // Like a client honouring Retry-After, so that an outage does not burn every turn at once.
                if outcome.status == 503 || outcome.status == 409 { usleep(500_000) }
            }
        }
        chaos.stop()
        let loadSeconds = Date().timeIntervalSince(started)
        try deployment.waitUntilServing()

        // Every thread continues, with a tool call on the (restarted) user's database. A thread still held by a
        // run a store outage kept from ending is retried until the worker's retrier has written that end.
        try deployment.provider.scriptLoop([toolStep([("list_tables", #"{"schema":"public"}"#)]), textStep("All good.")])
        var finalTokens: [String] = []
        var blockedFinals: [TurnOutcome] = []
        for (index, client) in clients.enumerated() {
            var attempt = 0
            var final: TurnOutcome
            repeat {
                attempt += 1
                finalTokens.append("final-\(index)-\(attempt)")
                final = client.turn(token: finalTokens.last!, threadId: threadIds[index], stream: false)
                if final.errorCode == "run_in_progress" { blockedFinals.append(final) }
                // 503: a worker thread's store connection broken by the store restart fails its next request once.
                if final.status == 409 || final.status == 503 { sleep(1) }
            } while (final.status == 409 || final.status == 503) && attempt < 45
            #expect(final.status == 200 && final.runStatus == "completed",
                    "thread \(threadIds[index]) continues: \(final.status.map(String.init) ?? "no answer") \(final.excerpt)\n\(deployment.logs)")
            #expect(final.toolSuccesses == [true], "the tool reaches the restarted database: \(final.excerpt)")
        }

        let outcomes = log.all
        print(Self.summary(store: store, seed: seed, outcomes: outcomes, chaos: chaos, seconds: loadSeconds))
        #expect(chaos.failures.isEmpty, "chaos actions failed: \(chaos.failures)")
        #expect(chaos.kills > 0 && chaos.targetRestarts == 2, "the faults happened: \(chaos.events)")

        // Client side: a 200 (a run, or a stream that reports an error event or broke off with its worker), or the
        // service's JSON error (409s are looked at with the store below).
        for outcome in outcomes {
            guard let status = outcome.status else {
                Issue.record("no answer at all for \(outcome.token)")
                continue
            }
            if status == 200 {
                #expect(outcome.cutOff || outcome.runStatus != nil || outcome.isJSONError,
                        "a 200 answer is a run or a streamed error event: \(outcome.token) \(outcome.excerpt)")
            } else {
                #expect(outcome.isJSONError, "\(status) for \(outcome.token) is a JSON error: \(outcome.excerpt)")
            }
            #expect(outcome.errorCode != "provider_rejected",
                    "the model was sent a history it refused: \(outcome.token) \(outcome.excerpt)")
        }
        let broken = outcomes.filter(\.cutOff)
        #expect(broken.count <= chaos.kills,
                "\(broken.count) answers broke off, \(chaos.kills) workers were killed: \(broken.map(\.token))")
        let refused = deployment.refusedModelRequests
        #expect(refused.isEmpty, "the fake model refused \(refused.count) request(s): \(refused.prefix(5))")

        // Store side.
        let audit = try StoreAudit(deployment.store)
        // A 409 is allowed only behind a run that was still being driven: a killed worker's run is expired at once
        // (even while the worker is a zombie, not reaped yet). The driver ended every other blocking run (its log
        // says so) while a store outage kept it from writing that.
        let ended = deployment.runsEndedInWorkerLog
        var outageConflicts: [TurnOutcome] = []
        var unexplained: [TurnOutcome] = []
        for outcome in outcomes + blockedFinals where outcome.status == 409 {
            if ended.contains(blockingRun(in: outcome.excerpt) ?? "") {
                outageConflicts.append(outcome)
            } else {
                unexplained.append(outcome)
            }
        }
        let unexplainedRuns = Set(unexplained.compactMap { blockingRun(in: $0.excerpt) })
        #expect(unexplained.isEmpty, """
            \(unexplained.count) answers 409 behind runs that were not stuck, seed \(seed): \
            \(unexplained.map(\.token)); the runs: \(audit.runs.filter { unexplainedRuns.contains($0.id) })
            \(deployment.workerLog(mentioning: unexplainedRuns))
            """)
        // The other 409s met runs whose driver had ended them while the store was down: the worker's retrier
        // writes such an end as soon as the store answers again, so those runs end `failed` (with the error that
        // stopped them), not `expired` at their deadline (deadline_passed) as they did before.
        let outageRuns = Set(outageConflicts.compactMap { blockingRun(in: $0.excerpt) })
        // Unless its worker was killed before the store came back: the retrier died with it, and the next request
        // found the driver gone (`worker_lost`), as it must.
        let killedDrivers = chaos.killed
        let notFreedByRetrier = audit.runs.filter { run in
            let driverKilled = run.errorCode == "worker_lost"
                && (run.worker?.split(separator: "/").dropFirst().first.flatMap { Int32($0) }.map(killedDrivers.contains) ?? false)
            return outageRuns.contains(run.id) && run.status != "failed" && !driverKilled
        }
        #expect(notFreedByRetrier.isEmpty, "runs freed otherwise than by the retrier: \(notFreedByRetrier)")
        print("ChatFaultInjectionTests[\(store)]: \(outageConflicts.count) answers 409 behind \(outageRuns.count) runs "
              + "ended during a store outage")
        for outcome in outcomes {
            let stored = audit.userMessages(with: outcome.token)
            if outcome.status == 200 {
                #expect(stored == 1, "\(outcome.token) answered 200 (\(outcome.streamed ? "stream" : "JSON")) is stored \(stored) times")
            } else {
                #expect(stored <= 1, "\(outcome.token) answered \(outcome.status ?? 0) is stored \(stored) times")
            }
        }
        for token in finalTokens {
            #expect(audit.userMessages(with: token) <= 1, "\(token) is stored at most once")
        }
        #expect(clients.indices.allSatisfy { index in
            finalTokens.filter { $0.hasPrefix("final-\(index)-") }.map(audit.userMessages(with:)).reduce(0, +) == 1
        }, "each thread's final message is stored once")
        #expect(audit.activeRuns.isEmpty, "runs still holding their thread: \(audit.activeRuns)")
        #expect(audit.toolCallProblems.isEmpty, "\(audit.toolCallProblems.prefix(10))")
        #expect(audit.gapProblems.isEmpty, "\(audit.gapProblems)")
        #expect(audit.orphanUserMessages.isEmpty, "user messages without a run: \(audit.orphanUserMessages.prefix(10))")
        print("ChatFaultInjectionTests[\(store)]: runs \(audit.statusCounts.sorted { $0.key < $1.key }), "
              + "\(audit.messages.count) messages")
    }

    @Test("a run whose store write fails during an outage does not hold its thread once the store is back")
    func storeOutageDuringRun() throws {
        let deployment = try FaultDeployment(store: "postgres", workers: 1)
        defer { deployment.stop() }
        let storeServer = try #require(deployment.storeServer)
        try deployment.provider.script([delayed(textStep("Answered during the outage."), milliseconds: 1_500),
                                        textStep("Back on track.")])
        let client = FaultClient(baseURL: deployment.service.baseURL, user: "outage", databaseURL: deployment.targetURL)
        let threadId = try client.threadId()
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var during: TurnOutcome?
        Thread {
            during = client.turn(token: "during-outage", threadId: threadId, stream: false)
            done.signal()
        }.start()
        let called = try eventually(within: 10) { try deployment.provider.requests().count >= 1 }
        try #require(called, "\(deployment.logs)")
        // Down while the model answers: the run cannot store the answer, nor mark itself failed.
        try storeServer.stop()
        #expect(done.wait(timeout: .now() + 15) == .success, "the request ends during the outage")
        try storeServer.start()
        let lost = try #require(during)
        #expect(lost.status == 503 && lost.errorCode == "store_unavailable", "\(lost.excerpt)")

        // The worker hands the run's end to its background retrier, which writes it once the store answers:
        // the thread is free again within seconds, long before the run's deadline (CHAT_DEADLINE_MS, 20 s) would
        // free it. Each worker thread's first store call after the restart may also meet its broken connection (503).
        let backAt = Date()
        var attempt = 1
        var next = client.turn(token: "after-outage-1", threadId: threadId, stream: false)
        while next.status == 503 || next.status == 409, Date().timeIntervalSince(backAt) < 8 {
            usleep(300_000)
            attempt += 1
            next = client.turn(token: "after-outage-\(attempt)", threadId: threadId, stream: false)
        }
        #expect(next.status == 200 && next.runStatus == "completed", "\(next.excerpt)\n\(deployment.logs)")
        let failed = try deployment.store.runRows().filter { $0.status == "failed" }.count
        #expect(failed == 1, "the run that met the outage is stored as failed")
        let stuck = try deployment.store.runRows().filter { $0.status == "in_progress" }.map(\.id)
        print("ChatFaultInjectionTests: after a store outage during a run: next message \(next.status ?? 0) "
              + "\(next.errorCode ?? next.runStatus ?? ""); runs still in_progress: \(stuck)")
    }

    @Test("a run whose killed worker is not reaped yet (a zombie) is expired at once")
    func zombieWorkerRunExpired() throws {
        let (harness, runs) = try inspectableHarness()
        defer { harness.stop() }
        try harness.provider.script([delayed(textStep("Never delivered."), milliseconds: 4_000), textStep("I am back."),
                                     textStep("Still here.")])
        let threadId = try harness.threadId()
        let doomed = harness.sayInBackground("this worker will die", threadId: threadId)
        try harness.waitForModelRequests(1)
        let row = try #require(try runs.textRows("SELECT id, worker FROM runs WHERE status = 'in_progress'").first)
        let runId = try #require(row[0])
        let pid = try #require(row[1].flatMap { $0.split(separator: "/").dropFirst().first }.flatMap { Int32($0) })
        // multiwatch stopped: the killed worker stays a zombie, as it is for a moment after every kill.
        let multiwatch = harness.service.workers.launcherPID
        kill(multiwatch, SIGSTOP)
        defer { kill(multiwatch, SIGCONT) }
        kill(pid, SIGKILL)
        let zombie = eventually(within: 5) { processState(pid) == "Z" }
        try #require(zombie, "worker \(pid) is a zombie")
        let lost = try doomed.response(within: 15)
        #expect(lost.status == 502, "\(lost.text)")

        let next = try harness.say("hello again", threadId: threadId)
        #expect(next.status == 200, "not 409: a zombie drives nothing\n\(next.text)\n\(harness.logs)")
        #expect(next.json["response"] as? String == "I am back.", "\(next.text)")
        #expect(try runs.run(runId) == StoredRun(id: runId, status: "expired", errorCode: "worker_lost"))
        kill(multiwatch, SIGCONT)
        let reaped = eventually(within: 5) { processState(pid) == nil }
        #expect(reaped)
        let again = try harness.say("and now?", threadId: threadId)
        #expect(again.status == 200 && again.json["response"] as? String == "Still here.", "\(again.text)\n\(harness.logs)")
    }

    /// The run named in a `run_in_progress` error message (`… a run in progress (run_…); …`).
    private func blockingRun(in text: String) -> String? {
        guard let start = text.range(of: "(run_") else { return nil }
        let name = text[text.index(after: start.lowerBound)...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        return String(name)
    }

    /// One paragraph for the test log: the seed, what the chaos did, and what the clients got.
    private static func summary(store: String, seed: UInt64, outcomes: [TurnOutcome], chaos: Chaos, seconds: Double) -> String {
        var answers: [String: Int] = [:]
        for outcome in outcomes {
            let key = "\(outcome.status.map(String.init) ?? "none")\(outcome.errorCode.map { " \($0)" } ?? "")"
                + (outcome.cutOff ? " (cut)" : "") + (outcome.status == 200 ? " \(outcome.runStatus ?? "")" : "")
            answers[key, default: 0] += 1
        }
        let toolCalls = outcomes.flatMap(\.toolSuccesses)
        return """
            ChatFaultInjectionTests[\(store)]: seed \(seed): \(outcomes.count) turns in \(String(format: "%.1f", seconds)) s, \
            \(chaos.kills) worker kills, \(chaos.targetRestarts) target and \(chaos.storeRestarts) store restarts; \
            tool calls \(toolCalls.filter { $0 }.count) ok / \(toolCalls.filter { !$0 }.count) failed; answers: \
            \(answers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
            \(chaos.events.joined(separator: "\n"))
            """
    }
}

/// The state letter of a process (`R`, `S`, `Z`, …) from /proc, or nil when there is no such process.
func processState(_ pid: Int32) -> String? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return nil }
    return stat[stat.index(after: close)...].split(separator: " ").first.map(String.init)
}
