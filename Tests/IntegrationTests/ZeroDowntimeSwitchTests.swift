import Foundation
import HTTPClient
import JSON
import TestSupport
import Testing

/// `Deploy/pgassist-switch` against a running deployment: a new pool on a new socket, nginx rewired
/// and reloaded, the old pool stopped gracefully, while clients keep sending requests.
@Suite("Zero-downtime switch", .serialized, .timeLimit(.minutes(10)))
struct ZeroDowntimeSwitchTests {
    @Test("pgassist-switch moves nginx to a new pool under load: no request fails, the old pool is gone")
    func switchUnderLoad() throws {
        let provider = try FakeModelProvider()
        defer { provider.stop() }
        let settings = [
            "OPENAI_BASE_URL": provider.baseURL, "OPENAI_API_KEY": provider.apiKey, "OPENAI_MODEL": "gpt-test",
            "PGASSIST_STOP_GRACE_MS": "10000", "LOG_LEVEL": "info",
        ]
        let service = try Service(store: .sqlite, workers: 2, threads: 2, environment: settings)
        defer { service.stop() }
        let oldLauncher = service.workers.launcherPID
        let oldWorkers = service.workers.workerPIDs()
        let pidFile = service.directory.file("run/pgassist.pid")
        try "\(oldLauncher)\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
        // Chats that are still waiting for the model while the switch runs (the first two reach the old pool).
        try provider.script(Array(repeating: .object(["text": .string("done"), "delayMs": .number(2_000)]), count: 4))

        let load = LoadLoop(clients: 3, name: "loop", service: service)
        let chats = (0..<2).map { index in
            let box = ResponseBox()
            let body: JSONValue = .object(["userId": .string("chat\(index)"), "projectRef": .string("proj_1"),
                                           "message": .string("slow one")])
            Thread {
                box.set(Result { try service.request("POST", "/api/ai/assistant/chat", body: body.serialized(),
                                                     headers: [("Authorization", "Bearer chat-\(index)")]) })
            }.start()
            return box
        }
        #expect(eventually(within: 10) { ((try? provider.requests().count) ?? 0) >= 2 }, "\(service.logs)")

        var environment = ProcessInfo.processInfo.environment.filter { name, _ in
            !name.hasPrefix("PGASSIST_") && name != "THREAD_STORE_URL"
        }
        environment.merge(settings) { _, given in given }
        environment.merge([
            "PGASSIST_BIN": TestEnvironment.pgassistBinary,
            "THREAD_STORE_URL": "sqlite://\(service.directory.file("var/pgassist.db"))",
            "PGASSIST_SOCKET_MODE": "0666", "PGASSIST_WORKERS": "2", "PGASSIST_THREADS": "2",
            "PGASSIST_SWITCH_DIR": service.directory.file("run"), "PGASSIST_PID_FILE": pidFile,
            "PGASSIST_UPSTREAM_FILE": service.nginx.upstreamPath,
            "PGASSIST_NGINX": service.nginx.command.joined(separator: " "),
            "PGASSIST_NGINX_PID_FILE": "\(service.nginx.prefix)/nginx.pid",
            "PGASSIST_SWITCH_LOG": service.directory.file("new-pool.log"),
        ]) { _, given in given }
        let switchStarted = Date()
        let result = try Command.run(["\(TestEnvironment.repositoryRoot)/Deploy/pgassist-switch"], environment: environment,
                                     directory: service.directory.path)
        let switchSeconds = Date().timeIntervalSince(switchStarted)
        let summary = result.output.split(separator: "\n").last.map(String.init) ?? ""
        let newLauncher = summary.split(separator: " ").first { $0.hasPrefix("pid=") }.flatMap { Int32($0.dropFirst(4)) }
        defer { if let newLauncher { WorkerPool.stop(launcherPID: newLauncher) } }
        let newLog = fileText(service.directory.file("new-pool.log"))
        #expect(result.status == 0, "switch failed:\n\(result.errorOutput)\n--- new pool\n\(newLog)\n\(service.logs)")
        let newPool = try #require(newLauncher, "no pid in '\(summary)'")

        // Traffic continues on the new pool for a moment.
        usleep(1_000_000)
        load.finish()
        usleep(200_000)

        let statuses = load.statuses
        #expect(statuses.count > 20, "the clients kept sending during the \(switchSeconds) s switch (\(statuses.count) requests)")
        #expect(statuses.allSatisfy { $0 == 200 }, "statuses other than 200: \(statuses.filter { $0 != 200 })\n\(service.logs)")
        for chat in chats {
            #expect(eventually(within: 10) { chat.value != nil })
            let response = try #require(chat.value).get()
            #expect(response.status == 200, "\(response.status) \(response.text)")
        }

        // The old pool is gone; the new one serves.
        #expect(!WorkerPool.isAlive(oldLauncher))
        #expect(oldWorkers.allSatisfy { !WorkerPool.isAlive($0) }, "old workers \(oldWorkers)")
        let newWorkers = WorkerPool.workerPIDs(ofLauncher: newPool)
        #expect(newWorkers.count == 2 && Set(newWorkers).isDisjoint(with: oldWorkers), "new workers \(newWorkers)")
        let newSocket = summary.split(separator: " ").first { $0.hasPrefix("socket=") }.map { String($0.dropFirst(7)) } ?? "?"
        #expect(newSocket.hasSuffix(".sock") && newSocket.contains("/run/pgassist-"), "\(summary)")
        #expect(fileText(service.nginx.upstreamPath).contains("server unix:\(newSocket);"))
        #expect(!FileManager.default.fileExists(atPath: service.workers.socketPath), "the old pool's socket file is removed")
        #expect(FileManager.default.fileExists(atPath: newSocket + ".metrics"), "the new pool counts in its own metrics file")
        #expect(!FileManager.default.fileExists(atPath: service.workers.socketPath + ".metrics"),
                "the old pool's metrics file is removed with its socket")
        #expect(fileText(pidFile).trimmingCharacters(in: .whitespacesAndNewlines) == String(newPool))
        #expect(try service.request("GET", "/api/ai/assistant/thread?userId=after").status == 200)
        #expect(service.workers.log.contains("received SIGUSR1 from the supervisor"))
    }

    @Test("with PGASSIST_SYSTEMD_UNIT the unit's pool is replaced by a new one on its own socket, through a stand-in")
    func switchThroughUnit() throws {
        let service = try Service(store: .sqlite, workers: 2, threads: 2, environment: ["PGASSIST_STOP_GRACE_MS": "10000"])
        defer { service.stop() }
        let unitSocket = service.workers.socketPath
        let unitPidFile = service.directory.file("unit.pid")
        try "\(service.workers.launcherPID)\n".write(toFile: unitPidFile, atomically: true, encoding: .utf8)
        let oldWorkers = service.workers.workerPIDs()
        // systemctl for a unit whose pool is the launcher in unit.pid: `stop` ends it gracefully,
        // `start` runs a fresh one on the unit's socket.
        let systemctl = service.directory.file("systemctl")
        try """
            #!/usr/bin/env bash
            set -euo pipefail
            [[ $2 == pgassist-test ]] || { echo "unknown unit $2" >&2; exit 5; }
            case $1 in
            stop)
                pid=$(< "$UNIT_PID_FILE")
                kill -TERM "$pid" 2>/dev/null || exit 0
                while [[ -e /proc/$pid && $(awk '{print $3}' /proc/$pid/stat) != Z ]]; do sleep 0.1; done ;;
            start)
                (
                    for fd_path in /proc/$BASHPID/fd/*; do
                        fd=${fd_path##*/}
                        if (( fd > 2 )); then eval "exec $fd>&-" 2>/dev/null || true; fi
                    done
                    PGASSIST_SOCKET=$UNIT_SOCKET exec setsid "$UNIT_LAUNCH" >> "$UNIT_LOG" 2>&1 < /dev/null
                ) &
                echo $! > "$UNIT_PID_FILE" ;;
            esac
            """.write(toFile: systemctl, atomically: true, encoding: .utf8)
        chmod(systemctl, 0o755)

        let load = LoadLoop(clients: 2, name: "unit", service: service)
        var environment = ProcessInfo.processInfo.environment.filter { name, _ in
            !name.hasPrefix("PGASSIST_") && name != "THREAD_STORE_URL"
        }
        environment.merge([
            "PGASSIST_BIN": TestEnvironment.pgassistBinary,
            "THREAD_STORE_URL": "sqlite://\(service.directory.file("var/pgassist.db"))",
            "PGASSIST_SOCKET": unitSocket, "PGASSIST_SOCKET_MODE": "0666", "PGASSIST_WORKERS": "2", "PGASSIST_THREADS": "2",
            "PGASSIST_STOP_GRACE_MS": "10000",
            "PGASSIST_SYSTEMD_UNIT": "pgassist-test", "PGASSIST_SYSTEMCTL": systemctl,
            "PGASSIST_SWITCH_DIR": service.directory.file("switch"),
            "PGASSIST_UPSTREAM_FILE": service.nginx.upstreamPath,
            "PGASSIST_NGINX": service.nginx.command.joined(separator: " "),
            "PGASSIST_NGINX_PID_FILE": "\(service.nginx.prefix)/nginx.pid",
            "PGASSIST_SWITCH_LOG": service.directory.file("stand-in.log"),
            "UNIT_PID_FILE": unitPidFile, "UNIT_SOCKET": unitSocket, "UNIT_LOG": service.directory.file("unit.log"),
            "UNIT_LAUNCH": "\(TestEnvironment.repositoryRoot)/Deploy/pgassist-launch",
        ]) { _, given in given }
        let result = try Command.run(["\(TestEnvironment.repositoryRoot)/Deploy/pgassist-switch"], environment: environment)
        let unitPool = Int32(fileText(unitPidFile).trimmingCharacters(in: .whitespacesAndNewlines))
        defer { if let unitPool { WorkerPool.stop(launcherPID: unitPool) } }
        #expect(result.status == 0, "switch failed:\n\(result.errorOutput)\n--- stand-in\n\(fileText(service.directory.file("stand-in.log")))\n--- unit\n\(fileText(service.directory.file("unit.log")))")
        #expect(result.output.hasSuffix("socket=\(unitSocket) pid=unit:pgassist-test\n"), "\(result.output)")
        usleep(500_000)
        load.finish()
        usleep(200_000)

        let statuses = load.statuses
        #expect(statuses.count > 10)
        #expect(statuses.allSatisfy { $0 == 200 }, "statuses other than 200: \(statuses.filter { $0 != 200 })")
        #expect(fileText(service.nginx.upstreamPath).contains("server unix:\(unitSocket);"))
        let pool = try #require(unitPool)
        #expect(pool != service.workers.launcherPID)
        let workers = WorkerPool.workerPIDs(ofLauncher: pool)
        #expect(workers.count == 2 && Set(workers).isDisjoint(with: oldWorkers))
        #expect(oldWorkers.allSatisfy { !WorkerPool.isAlive($0) })
        // The stand-in is gone, and so is its socket.
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: service.directory.file("switch"))) ?? []
        #expect(!leftovers.contains { $0.hasSuffix(".sock") || $0.hasSuffix(".pid") || $0.contains(".sock.metrics") },
                "\(leftovers)")
        #expect(fileText(service.directory.file("stand-in.log")).contains("received SIGUSR1 from the supervisor"))
        #expect(try service.request("GET", "/api/ai/assistant/thread?userId=after").status == 200)
    }

    @Test("a new pool that cannot start leaves nginx and the old pool as they were")
    func failedStartChangesNothing() throws {
        let service = try Service(store: .sqlite, workers: 1, threads: 1)
        defer { service.stop() }
        let pidFile = service.directory.file("run/pgassist.pid")
        try "\(service.workers.launcherPID)\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
        let upstreamBefore = fileText(service.nginx.upstreamPath)
        var environment = ProcessInfo.processInfo.environment.filter { name, _ in !name.hasPrefix("PGASSIST_") }
        environment.merge([
            "PGASSIST_BIN": TestEnvironment.pgassistBinary,
            "THREAD_STORE_URL": "sqlite:///proc/nope/threads.db",  // cannot be created: every worker exits at start
            "PGASSIST_WORKERS": "1", "PGASSIST_SWITCH_READY_MS": "5000",
            "PGASSIST_SWITCH_DIR": service.directory.file("run"), "PGASSIST_PID_FILE": pidFile,
            "PGASSIST_UPSTREAM_FILE": service.nginx.upstreamPath,
            "PGASSIST_NGINX": service.nginx.command.joined(separator: " "),
            "PGASSIST_NGINX_PID_FILE": "\(service.nginx.prefix)/nginx.pid",
            "PGASSIST_SWITCH_LOG": service.directory.file("new-pool.log"),
        ]) { _, given in given }
        let result = try Command.run(["\(TestEnvironment.repositoryRoot)/Deploy/pgassist-switch"], environment: environment)
        #expect(result.status != 0)
        #expect(result.errorOutput.contains("thread store"), "the reason is shown: \(result.errorOutput)")
        #expect(fileText(service.nginx.upstreamPath) == upstreamBefore)
        #expect(WorkerPool.isAlive(service.workers.launcherPID))
        #expect(try service.request("GET", "/api/ai/assistant/thread?userId=still").status == 200)
    }
}

/// The statuses a client loop saw, and the flag that ends it.
private final class LoadLoop: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [Int] = []
    private var done = false

    /// Starts `clients` threads that each GET their own user's thread every 60 ms until `finish()`. Each
    /// sends its own credential, so nginx's rate limit (20 requests/s per credential) never fails a request.
    init(clients: Int, name: String, service: Service) {
        for client in 0..<clients {
            Thread { [self] in
                while !isDone {
                    let status = (try? service.request("GET", "/api/ai/assistant/thread?userId=\(name)\(client)",
                                                       headers: [("Authorization", "Bearer \(name)-\(client)")]))?.status ?? -1
                    record(status)
                    usleep(60_000)
                }
            }.start()
        }
    }

    func record(_ status: Int) { lock.withLock { seen.append(status) } }
    func finish() { lock.withLock { done = true } }
    var isDone: Bool { lock.withLock { done } }
    var statuses: [Int] { lock.withLock { seen } }
}

/// A file's text, or "" when it cannot be read.
private func fileText(_ path: String) -> String {
    (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
}
