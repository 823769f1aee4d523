import Foundation

/// `pgassist serve` workers started the way production starts them: through the shipped
/// `Deploy/pgassist-launch` (spawn-fcgi binds the socket, multiwatch keeps the workers alive).
///
/// The launcher's process is multiwatch itself (the script and spawn-fcgi exec), so its children
/// are the workers. Everything they write goes to `directory/workers.log`.
public final class WorkerPool: @unchecked Sendable {
    /// The Unix socket the workers accept FastCGI connections on.
    public let socketPath: String
    /// The file holding the launcher's and the workers' standard output and error.
    public let logPath: String
    private let process: Process
    private let lock = NSLock()
    private var stopped = false

    /// Starts `workers` processes of `threads` request threads each on `socketPath`, and waits
    /// (up to 10 s) until the socket exists.
    ///
    /// - Parameters:
    ///   - directory: working directory of the workers (a relative store path lands here) and home of the log.
    ///   - maxRequests: requests after which a worker exits and multiwatch replaces it; 0 means never.
    ///   - environment: added to (and overriding) the launcher's environment, e.g. `THREAD_STORE_URL`,
    ///     `LOG_LEVEL`, `PGASSIST_MAX_BODY_BYTES`, `PGASSIST_RESPAWN_RETRIES`.
    public init(directory: TemporaryDirectory, socketPath: String, workers: Int = 2, threads: Int = 2,
                maxRequests: Int = 0, environment: [String: String] = [:]) throws {
        self.socketPath = socketPath
        logPath = directory.file("workers.log")
        // Inherit PATH, LOG_LEVEL and the like, but nothing that would configure the pool behind the test's back.
        var settings = ProcessInfo.processInfo.environment.filter { name, _ in
            !name.hasPrefix("PGASSIST_") && name != "THREAD_STORE_URL"
        }
        settings["PGASSIST_BIN"] = TestEnvironment.pgassistBinary
        settings["PGASSIST_SOCKET"] = socketPath
        // nginx's workers run as www-data when the tests run as root: let them connect.
        settings["PGASSIST_SOCKET_MODE"] = "0666"
        settings["PGASSIST_WORKERS"] = String(workers)
        settings["PGASSIST_THREADS"] = String(threads)
        settings["PGASSIST_MAX_REQUESTS"] = String(maxRequests)
        settings.merge(environment) { _, given in given }

        let socketFolder = (socketPath as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: socketFolder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        let launcher = "\(TestEnvironment.repositoryRoot)/Deploy/pgassist-launch"
        process = try Command.start([launcher], environment: settings, logPath: logPath, directory: directory.path)

        do {
            try process.waitUntilReady("create \(socketPath)", log: { log }) {
                FileManager.default.fileExists(atPath: socketPath)
            }
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// The launcher's process id, which is multiwatch's (the script execs spawn-fcgi, which execs multiwatch).
    public var launcherPID: Int32 { process.processIdentifier }

    /// The ids of the live worker processes (multiwatch's children), in ascending order.
    public func workerPIDs() -> [Int32] {
        guard process.isRunning else { return [] }
        return ProcessTable.children(of: process.processIdentifier)
    }

    /// Starts a graceful stop without waiting for it: SIGTERM to multiwatch, which sends SIGUSR1 to
    /// every worker. They refuse new connections, finish their requests (within `PGASSIST_STOP_GRACE_MS`)
    /// and exit; then multiwatch exits. `stop()` still cleans up afterwards.
    public func beginStop() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
    }

    /// Waits up to `seconds` until the launcher (multiwatch) and its workers are gone; returns whether they are.
    public func waitUntilGone(seconds: Double) -> Bool {
        let workers = workerPIDs()
        return ProcessTable.waitForExit(process, seconds: seconds) && ProcessTable.waitUntilGone(workers, seconds: 1)
    }

    /// The live worker processes of the pool whose launcher (multiwatch) is `launcherPID`, in
    /// ascending order: for pools a test did not start itself (`Deploy/pgassist-switch` starts them).
    public static func workerPIDs(ofLauncher launcherPID: Int32) -> [Int32] {
        ProcessTable.children(of: launcherPID)
    }

    /// Whether a process with this id is alive (a zombie counts as gone).
    public static func isAlive(_ pid: Int32) -> Bool {
        ProcessTable.exists(pid)
    }

    /// Stops a pool this test did not start (by its launcher's pid): SIGTERM, then after `seconds`
    /// SIGKILL to the launcher and its workers. Returns whether it stopped within `seconds`.
    @discardableResult
    public static func stop(launcherPID: Int32, seconds: Double = 15) -> Bool {
        guard ProcessTable.exists(launcherPID) else { return true }
        let workers = ProcessTable.children(of: launcherPID)
        kill(launcherPID, SIGTERM)
        let deadline = Date().addingTimeInterval(seconds)
        while ProcessTable.exists(launcherPID) && Date() < deadline { usleep(20_000) }
        let gracefully = !ProcessTable.exists(launcherPID)
        let leftovers = ([launcherPID] + workers + ProcessTable.children(of: launcherPID)).filter(ProcessTable.exists)
        for pid in leftovers { kill(pid, SIGKILL) }
        _ = ProcessTable.waitUntilGone(leftovers, seconds: 5)
        return gracefully && workers.allSatisfy { !ProcessTable.exists($0) }
    }

    /// Stops the pool gracefully: SIGTERM to multiwatch, which sends SIGUSR1 to every worker and
    /// exits once they are gone; after 15 s, SIGKILL to all of them. Safe to call more than once.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        guard process.isRunning else { return }
        var workers = ProcessTable.children(of: process.processIdentifier)
        kill(process.processIdentifier, SIGTERM)
        if !ProcessTable.waitForExit(process, seconds: 15) {
            workers += ProcessTable.children(of: process.processIdentifier)
            kill(process.processIdentifier, SIGKILL)
            _ = ProcessTable.waitForExit(process, seconds: 5)
        }
        // Workers that outlived a killed multiwatch would keep serving the socket.
        let leftovers = workers.filter(ProcessTable.exists)
        for pid in leftovers { kill(pid, SIGKILL) }
        _ = ProcessTable.waitUntilGone(leftovers, seconds: 5)
    }

    /// Everything the launcher and the workers wrote so far.
    public var log: String { ProcessTable.read(logPath) }
}
