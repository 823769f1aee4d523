import Foundation
import JSON
import TestSupport
import Testing

/// Two worker pools (two "hosts") behind one nginx upstream, sharing one PostgreSQL store: a conversation
/// spread over both stays consistent, one run per thread holds across them, and a pool that dies entirely
/// leaves runs the other pool expires at once.
///
/// With root, pool 1 runs under another host name (see `ScaleOutDeployment`), so each pool judges the other's
/// runs through the store's run lock (`runLockIsFree`), as separate hosts do; without root, by pid.
@Suite("Scale-out: two worker pools, one store", .serialized)
struct ScaleOutTests {
    @Test("a conversation whose requests alternate between the pools keeps every message once, in order")
    func alternatingConversation() throws {
        let deployment = try ScaleOutDeployment()
        defer { deployment.stop() }
        let turns = 6
        try deployment.provider.script((0..<turns).flatMap { turn in
            [toolStep([("list_tables", #"{"schema":"public"}"#)]), textStep("Answer \(turn).")]
        })
        let threadId = try deployment.threadId()
        var runIds: [String] = []
        var served: [Int?] = []
        for turn in 0..<turns {
            let response = try deployment.say("Question \(turn) [scale-\(turn)]", threadId: threadId)
            try #require(response.status == 200, "turn \(turn): \(response.text)\n\(deployment.logs)")
            #expect(response.json["status"] as? String == "completed")
            #expect(response.json["response"] as? String == "Answer \(turn).")
            runIds.append(try #require(response.json["runId"] as? String))
            served.append(deployment.lastPool)
        }

        #expect(served.count == turns && served.allSatisfy { $0 != nil }, "\(served)\n\(deployment.nginx.upstreamLog)")
        #expect(zip(served, served.dropFirst()).allSatisfy { $0 != $1 }, "nginx alternates between the pools: \(served)")
        // The pool nginx names is the one that drove the run (its log has the run's lines, the other's none).
        for (turn, runId) in runIds.enumerated() {
            guard let pool = served[turn] ?? nil else { continue }
            #expect(deployment.pools[pool].log.contains(runId), "pool \(pool) drove turn \(turn) (\(runId))")
            #expect(!deployment.pools[1 - pool].log.contains(runId), "only one pool touched \(runId)")
        }

        let messages = try deployment.messages()
        let roles = messages.map { $0["role"] as? String ?? "" }
        #expect(roles == Array(repeating: ["user", "assistant", "tool", "assistant"], count: turns).flatMap { $0 }, "\(roles)")
        let questions = messages.filter { $0["role"] as? String == "user" }.compactMap { $0["content"] as? String }
        #expect(questions == (0..<turns).map { "Question \($0) [scale-\($0)]" })
        let answers = messages.filter { $0["role"] as? String == "assistant" && ($0["content"] as? String)?.isEmpty == false }
            .compactMap { $0["content"] as? String }
        #expect(answers == (0..<turns).map { "Answer \($0)." })
        let audit = try StoreAudit(deployment.store)
        #expect(audit.toolCallProblems.isEmpty && audit.gapProblems.isEmpty, "\(audit.toolCallProblems) \(audit.gapProblems)")
        print("ScaleOutTests: chat requests served by pools \(served.map { $0.map(String.init) ?? "?" }.joined(separator: ","))"
              + "; separate host names: \(deployment.separateHosts)")
    }

    @Test("a message routed to the other pool while a run is in progress is 409 run_in_progress")
    func oneRunPerThreadAcrossPools() throws {
        let deployment = try ScaleOutDeployment()
        defer { deployment.stop() }
        try deployment.provider.script([delayed(textStep("Slow answer."), milliseconds: 3_000), textStep("Next answer.")])
        let threadId = try deployment.threadId()
        let slow = deployment.sayInBackground("think slowly", threadId: threadId)
        let runId = try #require(try deployment.activeRun(threadId: threadId), "\(deployment.logs)")
        let modelCalled = try eventually(within: 10) { try deployment.provider.requests().count >= 1 }
        try #require(modelCalled, "\(deployment.logs)")
        let driving = try #require(try deployment.drivingPool(of: runId), "the run's worker is in one of the pools")

        var refusedByOtherPool = false
        for _ in 0..<4 where !refusedByOtherPool {
            let again = try deployment.say("are you done?", threadId: threadId)
            #expect(again.status == 409, "\(again.text)\n\(deployment.logs)")
            #expect(again.errorCode == "run_in_progress" && again.isJSONError, "\(again.text)")
            refusedByOtherPool = deployment.lastPool == 1 - driving
        }
        #expect(refusedByOtherPool, "a refusal came from the pool not driving the run: \(deployment.chatPools())")

        let first = try slow.response(within: 20)
        #expect(first.status == 200 && first.json["response"] as? String == "Slow answer.", "\(first.text)")
        let next = try deployment.say("now?", threadId: threadId)
        #expect(next.status == 200 && next.json["response"] as? String == "Next answer.", "\(next.text)\n\(deployment.logs)")
        let contents = try deployment.messages().map { "\($0["role"] as? String ?? ""): \($0["content"] as? String ?? "")" }
        #expect(contents == ["user: think slowly", "assistant: Slow answer.", "user: now?", "assistant: Next answer."],
                "refused messages are not stored: \(contents)")
    }

    @Test("a run whose whole pool was killed is expired by the other pool on the next message")
    func deadPoolRunExpiredAtOnce() throws {
        let deployment = try ScaleOutDeployment()
        defer { deployment.stop() }
        try deployment.provider.script([toolStep([("list_tables", #"{"schema":"public"}"#)]),
                                        delayed(textStep("Never delivered."), milliseconds: 6_000),
                                        textStep("The other pool answers.")])
        let threadId = try deployment.threadId()
        let doomed = deployment.sayInBackground("which tables? then lose your host", threadId: threadId)
        let modelCalledTwice = try eventually(within: 10) { try deployment.provider.requests().count >= 2 }
        try #require(modelCalledTwice, "\(deployment.logs)")
        let runId = try #require(try deployment.activeRun(threadId: threadId))
        let driving = try #require(try deployment.drivingPool(of: runId))
        try deployment.killPool(driving)
        let lost = try doomed.response(within: 15)
        #expect(lost.status == 502 && lost.errorCode == "upstream_unavailable" && lost.isJSONError, "\(lost.text)")

        let started = ContinuousClock.now
        let next = try deployment.say("anyone there?", threadId: threadId)
        let waited = ContinuousClock.now - started
        #expect(next.status == 200, "not 409: the dead pool's run is expired at once\n\(next.text)\n\(deployment.logs)")
        #expect(next.json["response"] as? String == "The other pool answers.", "\(next.text)")
        #expect(waited < .seconds(5), "noticed at once, not at the run's deadline: \(waited)")
        #expect(deployment.lastPool == 1 - driving, "the surviving pool answered: \(deployment.chatPools())")
        #expect(try deployment.store.run(runId) == StoredRun(id: runId, status: "expired", errorCode: "worker_lost"))
        let audit = try StoreAudit(deployment.store)
        #expect(audit.toolCallProblems.isEmpty, "\(audit.toolCallProblems)")
        #expect(audit.activeRuns.isEmpty, "\(audit.activeRuns)")
        print("ScaleOutTests: killed pool \(driving); the other pool judged the dead run by "
              + (deployment.separateHosts ? "the store's run lock (another host name)" : "pid (same host name)"))
    }

    @Test("a message on another host while the first run is still starting is refused, not taken for a dead driver",
          .enabled(if: ScaleOutDeployment.canUseOwnHostName(), "needs root for a second host name"))
    func secondMessageDuringRunStart() throws {
        // The user's database accepts TCP connections but never answers: the first request's run is stored, then
        // its worker waits DB_CONNECT_TIMEOUT_S for the table summary before it takes the run lock.
        let stall = try ScriptedTCPService(answer: [])
        defer { stall.stop() }
        let fixtureServer = allowedHostEntry(try PostgresServer.shared().url(database: "postgres"))
        let deployment = try ScaleOutDeployment(environment: ["DB_CONNECT_TIMEOUT_S": "4",
                                                              "ALLOWED_DB_HOSTS": "127.0.0.1:\(stall.port),\(fixtureServer)"])
        defer { deployment.stop() }
        let database = "postgresql://postgres@127.0.0.1:\(stall.port)/stalled"
        try deployment.provider.scriptLoop([textStep("An answer.")])
        let threadId = try deployment.threadId()
        let first = deployment.sayInBackground("my database is slow", threadId: threadId, connectionString: database)
        let runId = try #require(try deployment.activeRun(threadId: threadId), "\(deployment.logs)")
        let driving = try #require(try deployment.drivingPool(of: runId))

        var fromOtherPool: HTTPClientResponseSummary?
        for _ in 0..<4 where fromOtherPool == nil {
            let again = try deployment.say("meanwhile", threadId: threadId)
            if deployment.lastPool == 1 - driving {
                fromOtherPool = HTTPClientResponseSummary(status: again.status, text: again.text)
            } else {
                #expect(again.status == 409, "the driving pool refuses by pid: \(again.text)\n\(deployment.chatPools())")
            }
        }
        let answer = try #require(fromOtherPool, "no request reached the other pool: \(deployment.chatPools())")
        let firstRun = try deployment.store.run(runId)
        #expect(answer.status == 409, "\(answer.text)")
        #expect(firstRun?.status != "expired", "the first run was expired while its worker lived: \(String(describing: firstRun))")
        let firstAnswer = try? first.response(within: 20)
        print("ScaleOutTests: during the first run's start the other pool answered \(answer.status); the first request then "
              + "answered \(firstAnswer.map { "\($0.status) \($0.text.prefix(200))" } ?? "nothing")")
    }

    @Test("after a store restart, a run still being driven on another host is not taken for dead",
          .enabled(if: ScaleOutDeployment.canUseOwnHostName(), "needs root for a second host name"))
    func storeRestartDuringRun() throws {
        let storeServer = try PrivatePostgresServer()
        defer { storeServer.release() }
        let deployment = try ScaleOutDeployment(storeServer: storeServer)
        defer { deployment.stop() }
        try deployment.provider.script([delayed(textStep("Slow answer."), milliseconds: 6_000)]
                                       + Array(repeating: textStep("Another answer."), count: 8))
        let threadId = try deployment.threadId()
        let slow = deployment.sayInBackground("think slowly", threadId: threadId)
        let runId = try #require(try deployment.activeRun(threadId: threadId), "\(deployment.logs)")
        let modelCalled = try eventually(within: 10) { try deployment.provider.requests().count >= 1 }
        try #require(modelCalled, "\(deployment.logs)")
        let driving = try #require(try deployment.drivingPool(of: runId))
        try storeServer.restart()

        // The first store call of each worker thread after the restart meets its broken connection (503).
        var answers: [String] = []
        var fromOtherPool: HTTPClientResponseSummary?
        for _ in 0..<8 where fromOtherPool == nil {
            let again = try deployment.say("meanwhile", threadId: threadId)
            let pool = deployment.lastPool
            answers.append("pool \(pool.map(String.init) ?? "?"): \(again.status) \(again.errorCode ?? "")")
            if again.status != 503 && pool == 1 - driving {
                fromOtherPool = HTTPClientResponseSummary(status: again.status, text: again.text)
            }
        }
        let answer = try #require(fromOtherPool, "no answer from the other pool: \(answers)\n\(deployment.logs)")
        let firstRun = try deployment.store.run(runId)
        // The driver's process takes its run lock again within a second of the restart (RunLockKeeper), and until
        // the store has run for RunLockKeeper.retakeWindowMilliseconds a free lock is not taken as proof of death.
        #expect(answer.status == 409 && answer.text.contains("run_in_progress"), "\(answer.text)")
        #expect(firstRun?.status == "in_progress", "the run was ended while its worker lived: \(String(describing: firstRun))")

        // The driver never lost its run: its answer is stored and the run completes.
        let late = try slow.response(within: 20)
        #expect(late.status == 200, "\(late.text.prefix(300))\n\(deployment.logs)")
        #expect(try deployment.store.run(runId)?.status == "completed")
        let contents = try deployment.messages().compactMap { $0["content"] as? String }
        #expect(contents.contains("Slow answer."), "\(contents)")
        print("ScaleOutTests: after the store restart: \(answers); the driven run then answered \(late.status)")
    }
}

/// Status and body of a response kept for a later check.
struct HTTPClientResponseSummary {
    let status: Int
    let text: String
}
