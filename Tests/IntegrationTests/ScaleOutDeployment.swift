import Foundation
import HTTPClient
import JSON
import TestSupport
import Testing

/// Two worker pools, as two hosts would run them, behind one nginx `upstream` holding both sockets, sharing
/// one PostgreSQL store: pool 0 is "host A", pool 1 "host B".
///
/// Both run on this machine. So that each pool is really another host to the other (a run's worker is then
/// checked through the store's run lock, not by pid), pool 1's workers run in their own UTS namespace under
/// the host name `pgassist-host-b` when `unshare --uts` works (root); otherwise both share this host's name
/// and `separateHosts` is false.
final class ScaleOutDeployment {
    let provider: FakeModelProvider
    /// The user's database (the fixture schema), sent as `connectionString`.
    let databaseURL: String
    /// The shared store.
    let storeURL: String
    let store: RunTable
    let pools: [WorkerPool]
    let sockets: [String]
    let nginx: NginxServer
    /// Whether pool 1 runs under another host name.
    let separateHosts: Bool
    static let otherHostName = "pgassist-host-b"
    private let directories: [TemporaryDirectory]

    /// Starts the fake model, both pools on a new store database (on `storeServer`, else the shared test
    /// server) and nginx; waits until both pools answer.
    init(storeServer: PrivatePostgresServer? = nil, workersPerPool: Int = 1, threads: Int = 2,
         environment: [String: String] = [:]) throws {
        provider = try FakeModelProvider()
        databaseURL = try FixtureDatabase.create(prefix: "scaledb")
        storeURL = try storeServer?.createDatabase(prefix: "scalestore") ?? PostgresServer.shared().createDatabase(prefix: "scalestore")
        store = .postgres(url: storeURL)
        let directories = try (0..<3).map { _ in try TemporaryDirectory(prefix: "pgassist-scale") }
        self.directories = directories
        var settings = ["THREAD_STORE_URL": storeURL, "OPENAI_BASE_URL": provider.baseURL, "OPENAI_API_KEY": provider.apiKey,
                        "OPENAI_MODEL": "gpt-test", "LOG_LEVEL": "info", "ALLOW_REQUEST_CONNECTION_STRING": "1",
                        "ALLOWED_DB_HOSTS": allowedHostEntry(databaseURL)]
        settings.merge(environment) { _, given in given }
        separateHosts = Self.canUseOwnHostName()
        var pools: [WorkerPool] = []
        var sockets: [String] = []
        for index in 0..<2 {
            let socket = directories[index].file("run/pgassist.sock")
            var poolSettings = settings
            if index == 1 && separateHosts {
                poolSettings["PGASSIST_BIN"] = try Self.otherHostLauncher(in: directories[index])
            }
            pools.append(try WorkerPool(directory: directories[index], socketPath: socket, workers: workersPerPool,
                                        threads: threads, environment: poolSettings))
            sockets.append(socket)
        }
        self.pools = pools
        self.sockets = sockets
        nginx = try NginxServer(directory: directories[2], port: try freeTCPPort(), socketPath: sockets[0],
                                moreSocketPaths: [sockets[1]])
        try waitUntilBothPoolsAnswer()
    }

    deinit { stop() }

    func stop() {
        nginx.stop()
        pools.forEach { $0.stop() }
        provider.stop()
    }

    /// `POST /chat` with a message for `userId` (on `threadId` when given). Afterwards `lastPool` is the pool
    /// that answered it.
    func say(_ text: String, userId: String = "ada", threadId: String? = nil,
             connectionString: String? = nil) throws -> HTTPClientResponse {
        let tag = nextTag()
        let response = try HTTPClient().send(chatRequest(text, userId: userId, threadId: threadId,
                                                         connectionString: connectionString, tag: tag))
        lastPool = pool(answering: tag)
        return response
    }

    /// `say` on its own thread; the response is collected later.
    func sayInBackground(_ text: String, userId: String = "ada", threadId: String? = nil,
                         connectionString: String? = nil) -> PendingRequest {
        let request = chatRequest(text, userId: userId, threadId: threadId, connectionString: connectionString, tag: nextTag())
        return PendingRequest { try HTTPClient().send(request) }
    }

    /// The pool that answered the last `say`, from nginx's upstream log.
    private(set) var lastPool: Int?
    private let tags = NSLock()
    private var tagCount = 0

    /// A `?req=N` tag for the request's URI, so that its line in nginx's upstream log can be found.
    private func nextTag() -> String {
        tags.lock()
        defer { tags.unlock() }
        tagCount += 1
        return "r\(tagCount)"
    }

    private func chatRequest(_ text: String, userId: String, threadId: String?, connectionString: String?,
                             tag: String) -> HTTPClientRequest {
        var fields: [String: JSONValue] = ["userId": .string(userId), "projectRef": .string("proj_scale"),
                                           "connectionString": .string(connectionString ?? databaseURL), "message": .string(text)]
        if let threadId { fields["threadId"] = .string(threadId) }
        return HTTPClientRequest(method: "POST", url: nginx.baseURL + "/api/ai/assistant/chat?req=\(tag)",
                                 headers: [(name: "Content-Type", value: "application/json")],
                                 body: JSONValue.object(fields).serializedBytes(), timeoutMilliseconds: 60_000)
    }

    /// The pool whose socket gave the answer to the request tagged `tag`: nginx writes the line as it finishes
    /// the request, which may be just after the client has the answer, so wait a little for it.
    private func pool(answering tag: String) -> Int? {
        var found: Int??
        _ = eventually(within: 3) {
            let line = nginx.upstreamLog.split(separator: "\n").first { $0.contains(" /api/ai/assistant/chat?req=\(tag) ") }
            if let line { found = pool(in: line) }
            return found != nil
        }
        return found ?? nil
    }

    /// The pool of an upstream log line `MSEC METHOD URI STATUS UPSTREAM_ADDR UPSTREAM_STATUS`: the last address
    /// (nginx lists every pool it tried, comma-separated).
    private func pool(in line: Substring) -> Int? {
        let fields = line.split(separator: " ")
        guard fields.count >= 5 else { return nil }
        let addresses = fields[4...].joined(separator: " ").split(separator: ",")
        guard let last = addresses.last?.trimmingCharacters(in: .whitespaces) else { return nil }
        return sockets.firstIndex { last.hasPrefix("unix:\($0)") }
    }

    /// The user's thread (created when there is none).
    func threadId(userId: String = "ada") throws -> String {
        let response = try HTTPClient().send(HTTPClientRequest(url: nginx.baseURL + "/api/ai/assistant/thread?userId=\(userId)"))
        return try #require(response.json["threadId"] as? String, "\(response.text)")
    }

    /// The thread's stored messages, oldest first (through the API).
    func messages(userId: String = "ada") throws -> [[String: Any]] {
        let response = try HTTPClient().send(HTTPClientRequest(
            url: nginx.baseURL + "/api/ai/assistant/thread?userId=\(userId)&messages=1&limit=200"))
        return response.json["messages"] as? [[String: Any]] ?? []
    }

    /// The pool (0 or 1) that answered each chat request finished so far, in the order nginx finished them.
    func chatPools() -> [Int?] {
        nginx.upstreamLog.split(separator: "\n").filter { $0.contains(" POST /api/ai/assistant/chat") }.map(pool(in:))
    }

    /// The pool whose worker drives run `runId` right now (from the run's `worker` column: `host/pid/start`).
    func drivingPool(of runId: String) throws -> Int? {
        let rows = try store.textRows("SELECT worker FROM runs WHERE id = '\(runId)'")
        guard let worker = rows.first?.first ?? nil else { return nil }
        let parts = worker.split(separator: "/")
        guard parts.count == 3, let pid = Int32(parts[1]) else { return nil }
        return pools.firstIndex { $0.workerPIDs().contains(pid) }
    }

    /// The id of the thread's active run, once there is one (up to `seconds`).
    func activeRun(threadId: String, within seconds: Double = 10) throws -> String? {
        var found: String?
        _ = try eventually(within: seconds) {
            found = try store.textRows("""
                SELECT id FROM runs WHERE thread_id = '\(threadId)' AND status IN ('queued', 'in_progress', 'requires_action')
                """).first?.first ?? nil
            return found != nil
        }
        return found
    }

    /// SIGKILLs pool `index` entirely: multiwatch first (so nothing is respawned), then every worker.
    func killPool(_ index: Int) throws {
        let pool = pools[index]
        let workers = pool.workerPIDs()
        try #require(!workers.isEmpty, "pool \(index) has no workers")
        kill(pool.launcherPID, SIGKILL)
        for pid in workers { kill(pid, SIGKILL) }
        let gone = eventually(within: 10) { pool.workerPIDs().isEmpty && !workers.contains(where: Self.isAlive) }
        try #require(gone, "pool \(index) did not die")
    }

    /// Everything both pools, nginx and the fake model wrote.
    var logs: String {
        pools.enumerated().map { "--- pool \($0.offset) workers\n\($0.element.log.suffix(6_000))" }.joined(separator: "\n")
            + "\n--- nginx error log\n\(nginx.errorLog.suffix(3_000))\n--- nginx upstream log\n\(nginx.upstreamLog.suffix(3_000))"
            + "\n--- fake provider\n\(provider.log.suffix(3_000))"
    }

    /// Waits until a health request reached each pool (nginx alternates between them).
    private func waitUntilBothPoolsAnswer() throws {
        var answered = Set<Int>()
        let deadline = Date().addingTimeInterval(30)
        while answered.count < 2 && Date() < deadline {
            let response = try? HTTPClient().send(HTTPClientRequest(url: nginx.baseURL + "/api/ai/assistant/health",
                                                                    timeoutMilliseconds: 5_000))
            if response?.status == 200, let line = nginx.upstreamLog.split(separator: "\n").last {
                for (index, socket) in sockets.enumerated() where line.hasSuffix("unix:\(socket) 200") {
                    answered.insert(index)
                }
            } else {
                usleep(100_000)
            }
        }
        try #require(answered.count == 2, "both pools answer health checks\n\(logs)")
    }

    /// Whether `unshare --uts` can give a process its own host name here (it needs root).
    static func canUseOwnHostName() -> Bool {
        (try? Command.run(["unshare", "--uts", "--", "hostname", otherHostName]).status) == 0
    }

    /// A launcher for pool 1: runs pgassist in a new UTS namespace named `otherHostName`. It execs all the way
    /// down, so multiwatch's child pid is the worker's.
    private static func otherHostLauncher(in directory: TemporaryDirectory) throws -> String {
        let path = directory.file("pgassist-on-host-b")
        let script = """
            #!/bin/sh
            exec unshare --uts -- /bin/sh -c 'hostname "$0" && exec "$@"' \(otherHostName) \(TestEnvironment.pgassistBinary) "$@"

            """
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    private static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }
}
