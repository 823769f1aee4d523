import Foundation
import Postgres

/// A PostgreSQL server that belongs to one test, which may stop, restart or crash it without
/// disturbing the other tests (they share `PostgresServer.shared()`, which nobody may restart).
///
/// Its cluster lives in a `pgassist-pg-…` temporary directory laid out like the shared server's
/// (`data/`, `postgres.log`, `test-process.pid`), so a cluster left behind by a crashed test
/// process is removed by the next process's `PostgresServer.shared()`. Needs Debian's server
/// packages; `TEST_POSTGRES_URL` does not apply (an outside server cannot be restarted).
public final class PrivatePostgresServer: @unchecked Sendable {
    /// The TCP port the server listens on, on 127.0.0.1.
    public let port: Int
    /// Owns the data directory, the Unix socket and the log; removed when the server is released.
    public let directory: TemporaryDirectory
    private let binDirectory: String
    private let lock = NSLock()
    private var released = false

    private var dataDirectory: String { directory.file("data") }
    private var logFile: String { directory.file("postgres.log") }

    /// Creates a cluster (trust authentication, user `postgres`, no fsync) and starts it.
    ///
    /// - Parameter maxConnections: the server's `max_connections`.
    public init(maxConnections: Int = 100) throws {
        binDirectory = try Self.serverBinDirectory()
        directory = try TemporaryDirectory(prefix: "pgassist-pg")
        try "\(getpid())".write(toFile: directory.file("test-process.pid"), atomically: true, encoding: .utf8)
        // PostgreSQL refuses to run as root: give the directory to `postgres` and run as that user.
        if geteuid() == 0 {
            try Command.check(["chown", "postgres:postgres", directory.path])
        }
        try Command.check(Self.asOwner(["\(binDirectory)/initdb", "-D", directory.file("data"), "-A", "trust",
                                        "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync"]))
        port = try freeTCPPort()
        let settings = """

            # pgassist tests (private server)
            listen_addresses = '127.0.0.1'
            port = \(port)
            unix_socket_directories = '\(directory.path)'
            max_connections = \(maxConnections)
            shared_buffers = 16MB
            fsync = off
            synchronous_commit = off
            full_page_writes = off

            """
        let config = try FileHandle(forWritingTo: URL(fileURLWithPath: directory.file("data/postgresql.conf")))
        try config.seekToEnd()
        try config.write(contentsOf: Data(settings.utf8))
        try config.close()
        try start()
    }

    deinit { release() }

    /// The URL of `database` as user `postgres` over TCP.
    public func url(database: String) -> String { "postgresql://postgres@127.0.0.1:\(port)/\(database)" }

    /// Creates an empty database with a unique name and returns its URL.
    public func createDatabase(prefix: String = "t") throws -> String {
        let name = "\(prefix)_\(getpid())_\(UInt32.random(in: 0...UInt32.max))".lowercased()
        let admin = try PostgresConnection(connectionString: url(database: "postgres"))
        try admin.execute("CREATE DATABASE \"\(name)\"")
        return url(database: name)
    }

    /// Stops the server and waits until it is down: `fast` ends every session cleanly, `immediate`
    /// is a crash (the next start runs recovery).
    public func stop(immediate: Bool = false) throws {
        try Command.check(Self.asOwner(["\(binDirectory)/pg_ctl", "-D", dataDirectory, "-m", immediate ? "immediate" : "fast",
                                        "-w", "stop"]))
    }

    /// Starts the server (again) and waits until it accepts connections.
    public func start() throws {
        let pgCtl = Self.asOwner(["\(binDirectory)/pg_ctl", "-D", dataDirectory, "-l", logFile, "-w", "-t", "60", "start"])
        // Close inherited descriptors first: the postmaster would keep a socket Foundation's Process waits on.
        let script = """
            for fd in /proc/self/fd/*; do fd=${fd##*/}; if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi; done; exec "$@"
            """
        let result = try Command.run(["bash", "-c", script, "bash"] + pgCtl)
        guard result.status == 0 else {
            throw TestSupportError("pg_ctl start exited \(result.status): \(result.errorOutput)\(result.output)\n"
                                   + "server log (end):\n\(log.suffix(4000))")
        }
    }

    /// Stops and starts the server; every open connection breaks.
    public func restart(immediate: Bool = false) throws {
        try stop(immediate: immediate)
        try start()
    }

    /// The server's log.
    public var log: String { ProcessTable.read(logFile) }

    /// Stops the server at once and removes its directory. Safe to call more than once.
    public func release() {
        lock.lock()
        defer { lock.unlock() }
        guard !released else { return }
        released = true
        _ = try? Command.run(Self.asOwner(["\(binDirectory)/pg_ctl", "-D", dataDirectory, "-m", "immediate", "-w", "stop"]))
        directory.remove()
    }

    /// Debian's server binaries of the newest installed major version.
    private static func serverBinDirectory() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap { Int($0) }.sorted(by: >)
        guard let version = versions.first(where: { FileManager.default.isExecutableFile(atPath: "\(root)/\($0)/bin/initdb") }) else {
            throw TestSupportError("no PostgreSQL server under \(root) (install postgresql)")
        }
        return "\(root)/\(version)/bin"
    }

    /// `arguments` prefixed to run as `postgres` when this process is root.
    private static func asOwner(_ arguments: [String]) -> [String] {
        geteuid() == 0 ? ["runuser", "-u", "postgres", "--"] + arguments : arguments
    }
}
