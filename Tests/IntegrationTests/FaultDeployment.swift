import Foundation
import Postgres
import TestSupport
import Testing

/// A deployment whose databases a test may restart: the fake model, the user's database on a private
/// PostgreSQL server, and nginx in front of spawn-fcgi workers whose store is a SQLite file or a database
/// on a second private server (the shared test server must never restart under other tests).
final class FaultDeployment {
    let provider: FakeModelProvider
    /// The server holding the user's database (the fixture schema).
    let target: PrivatePostgresServer
    /// The user's database, sent as `connectionString`.
    let targetURL: String
    /// The server holding the store, for `postgres`.
    let storeServer: PrivatePostgresServer?
    let service: Service
    /// The store, read directly by the test.
    let store: RunTable
    let workerCount: Int

    /// Starts everything; `store` is `sqlite` or `postgres`.
    init(store: String, workers: Int = 2, threads: Int = 2, environment: [String: String] = [:]) throws {
        provider = try FakeModelProvider()
        target = try PrivatePostgresServer()
        targetURL = try target.createDatabase(prefix: "faulttarget")
        try PostgresConnection(connectionString: targetURL).execute(FixtureSchema.sql)
        var settings = ["OPENAI_BASE_URL": provider.baseURL, "OPENAI_API_KEY": provider.apiKey, "OPENAI_MODEL": "gpt-test",
                        "LOG_LEVEL": "info", "ALLOW_REQUEST_CONNECTION_STRING": "1", "DB_CONNECT_TIMEOUT_S": "2",
                        "ALLOWED_DB_HOSTS": allowedHostEntry(targetURL),
                        "OPENAI_TIMEOUT_MS": "20000",
                        // Short, so that a run left in_progress (see the known issues in the tests) frees its thread soon.
                        "CHAT_DEADLINE_MS": "20000",
                        // Threads grow by hundreds of messages; the fake checks (and, with ../shared, validates against
                        // the OpenAPI description) every history it gets, which costs it seconds per call on long ones.
                        "CHAT_HISTORY_MESSAGES": "40"]
        settings.merge(environment) { _, given in given }
        var storeURL: String?
        if store == "postgres" {
            let server = try PrivatePostgresServer()
            storeURL = try server.createDatabase(prefix: "faultstore")
            storeServer = server
        } else {
            storeServer = nil
        }
        service = try Service(store: storeURL.map { .postgres(url: $0) } ?? .sqlite, workers: workers, threads: threads,
                              environment: settings)
        self.store = storeURL.map { .postgres(url: $0) } ?? .sqlite(path: service.sqlitePath ?? "")
        workerCount = workers
    }

    deinit { stop() }

    func stop() {
        service.stop()
        provider.stop()
        target.release()
        storeServer?.release()
    }

    /// Waits (up to 30 s) until multiwatch has every worker back and the health endpoint answers 200.
    func waitUntilServing() throws {
        let ready = eventually(within: 30) {
            service.workers.workerPIDs().count == workerCount
                && (try? service.request("GET", "/api/ai/assistant/health").status) == 200
        }
        try #require(ready, "the service did not come back: workers \(service.workers.workerPIDs())\n\(logs)")
    }

    /// The fake model's HTTP status per model call, from its log.
    var modelStatuses: [Int] {
        provider.log.split(separator: "\n").compactMap { line -> Int? in
            guard line.contains(" /v1/"), let arrow = line.range(of: " -> ") else { return nil }
            return Int(line[arrow.upperBound...].prefix { $0.isNumber })
        }
    }

    /// The lines where the fake model refused a request as malformed (a broken tool-call history, …).
    var refusedModelRequests: [String] {
        provider.log.split(separator: "\n").filter { $0.contains(" /v1/") && $0.contains(" -> 400") }.map(String.init)
    }

    /// The workers' log lines that name any of `words` (run ids, …), and the lines about workers that
    /// stopped or started.
    func workerLog(mentioning words: Set<String>) -> String {
        service.workers.log.split(separator: "\n").filter { line in
            words.contains { line.contains($0) } || line.contains("multiwatch") || line.contains("signal")
        }.suffix(200).joined(separator: "\n")
    }

    /// The runs whose driver logged `run ended` (whether or not the store took the final status).
    var runsEndedInWorkerLog: Set<String> {
        Set(service.workers.logLines.filter { $0.event == "run ended" }.compactMap { $0.string("run_id") })
    }

    /// The end of every log, for failure messages.
    var logs: String {
        "--- workers (end)\n\(service.workers.log.suffix(8_000))\n--- nginx error log (end)\n\(service.nginx.errorLog.suffix(3_000))"
            + "\n--- fake provider (end)\n\(provider.log.suffix(3_000))"
    }
}

/// SIGKILLs workers at random moments and restarts the databases at set points of a fault run, on its own
/// thread, driven by a seeded generator.
final class Chaos: @unchecked Sendable {
    private let deployment: FaultDeployment
    private let turns: TurnLog
    private let totalTurns: Int
    private let lock = NSLock()
    private var generator: SeededGenerator
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)
    private(set) var kills = 0
    /// The pids of the workers killed.
    private(set) var killed: Set<Int32> = []
    private(set) var targetRestarts = 0
    private(set) var storeRestarts = 0
    private(set) var events: [String] = []
    private(set) var failures: [String] = []

    init(deployment: FaultDeployment, turns: TurnLog, totalTurns: Int, seed: UInt64) {
        self.deployment = deployment
        self.turns = turns
        self.totalTurns = totalTurns
        generator = SeededGenerator(seed: seed ^ 0xC4A0_5C4A_05C4_A05C)
    }

    func start() {
        Thread { [self] in
            run()
            finished.signal()
        }.start()
    }

    /// Stops and waits for the current action to end.
    func stop() {
        lock.lock()
        stopping = true
        lock.unlock()
        finished.wait()
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    private func run() {
        let started = Date()
        // Target restarts at a third and two thirds of the turns; the store's (PostgreSQL only) at a half.
        var targetPoints = [1.0 / 3, 2.0 / 3]
        var storePoints = deployment.storeServer == nil ? [] : [0.5]
        var firstSeen: [Int32: Date] = [:]
        let maxKills = max(3, totalTurns / 8)
        while !isStopping {
            usleep(UInt32.random(in: 200_000...1_200_000, using: &generator))
            if isStopping { break }
            let progress = Double(turns.count) / Double(totalTurns)
            let elapsed = String(format: "%.1f s", Date().timeIntervalSince(started))
            do {
                if let point = targetPoints.first, progress >= point {
                    targetPoints.removeFirst()
                    let immediate = generator.chance(0.5)
                    try deployment.target.restart(immediate: immediate)
                    targetRestarts += 1
                    events.append("\(elapsed): restarted the target database (\(immediate ? "immediate" : "fast"))")
                    continue
                }
                if let point = storePoints.first, progress >= point, let server = deployment.storeServer {
                    storePoints.removeFirst()
                    // Down for a while, as during a failover: runs in flight meet the outage on their next write.
                    let pause = UInt32.random(in: 1_000_000...2_000_000, using: &generator)
                    try server.stop(immediate: false)
                    usleep(pause)
                    try server.start()
                    storeRestarts += 1
                    events.append("\(elapsed): restarted the store database (down \(pause / 1_000) ms)")
                    continue
                }
            } catch {
                failures.append("\(elapsed): \(error)")
                continue
            }
            // At least one kill in every run, however short.
            guard kills < maxKills, generator.chance(0.7) || (kills == 0 && progress >= 0.15) else { continue }
            let now = Date()
            let pids = deployment.service.workers.workerPIDs()
            for pid in pids where firstSeen[pid] == nil { firstSeen[pid] = now }
            // A worker younger than a second could count as a failed start for multiwatch (-t 500 ms).
            let eligible = pids.filter { now.timeIntervalSince(firstSeen[$0] ?? now) >= 1.0 }
            guard !eligible.isEmpty else { continue }
            let victim = eligible[Int.random(in: 0..<eligible.count, using: &generator)]
            if kill(victim, SIGKILL) == 0 {
                kills += 1
                killed.insert(victim)
                events.append("\(elapsed): SIGKILL worker \(victim) at turn \(turns.count)")
            }
        }
        // A run that ended before reaching a restart point still gets every restart (before the final messages).
        do {
            for _ in targetPoints {
                try deployment.target.restart()
                targetRestarts += 1
                events.append("after the turns: restarted the target database")
            }
            if !storePoints.isEmpty, let server = deployment.storeServer {
                try server.restart()
                storeRestarts += 1
                events.append("after the turns: restarted the store database")
            }
        } catch {
            failures.append("after the turns: \(error)")
        }
    }
}
