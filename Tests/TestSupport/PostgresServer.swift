import Foundation
import Postgres
import Synchronization

/// A real PostgreSQL server for tests: one per test process, started on first use in a
/// temporary directory and stopped when the process exits.
///
/// With `TEST_POSTGRES_URL` set (a URL whose user may create databases), that server is used
/// instead and nothing is started; `stop()` and `start()` then throw.
public final class PostgresServer: Sendable {
    /// The TCP port the server listens on (on 127.0.0.1 for a server started here).
    public let port: Int
    /// The URL of the maintenance database, used to create test databases.
    private let adminURL: String
    /// The cluster this process started, or nil for a server from `TEST_POSTGRES_URL`.
    private let cluster: Cluster?

    /// Files and programs of a cluster started by this process.
    private struct Cluster: Sendable {
        /// Owns the data directory, the socket and the log; removed at exit.
        let directory: TemporaryDirectory
        let binDirectory: String
        var dataDirectory: String { directory.file("data") }
        var logFile: String { directory.file("postgres.log") }
    }

    private static let sharedServer = Mutex<Result<PostgresServer, TestSupportError>?>(nil)
    private static let databaseCounter = Atomic<Int>(0)

    private init(port: Int, adminURL: String, cluster: Cluster?) {
        self.port = port
        self.adminURL = adminURL
        self.cluster = cluster
    }

    /// The server for this test process, started on the first call; later calls return the same
    /// server (or the same startup failure, without trying again).
    public static func shared() throws -> PostgresServer {
        try sharedServer.withLock { state -> PostgresServer in
            if let state { return try state.get() }
            let result: Result<PostgresServer, TestSupportError>
            do {
                result = .success(try makeServer())
            } catch let error as TestSupportError {
                result = .failure(error)
            } catch {
                result = .failure(TestSupportError("PostgreSQL test server: \(error)"))
            }
            state = result
            if case .success(let server) = result, server.cluster != nil {
                atexit { PostgresServer.stopSharedServerAtExit() }
            }
            return try result.get()
        }
    }

    /// Creates an empty database with a name unique to this run and returns its URL.
    public func createDatabase(prefix: String = "t") throws -> String {
        let number = Self.databaseCounter.wrappingAdd(1, ordering: .relaxed).newValue
        let name = "\(prefix)_\(getpid())_\(number)_\(UInt32.random(in: 0...UInt32.max))".lowercased()
        let admin = try PostgresConnection(connectionString: adminURL)
        try admin.execute("CREATE DATABASE \"\(name)\"")
        return url(database: name)
    }

    /// The URL of `database` on this server.
    public func url(database: String) -> String {
        guard cluster == nil, var components = URLComponents(string: adminURL) else {
            return "postgresql://postgres@127.0.0.1:\(port)/\(database)"
        }
        components.path = "/\(database)"
        return components.string ?? adminURL
    }

    /// Stops the server (fast shutdown: open connections are dropped) and waits until it is down.
    public func stop() throws {
        guard let cluster else { throw TestSupportError("cannot stop a server from TEST_POSTGRES_URL") }
        try Self.runAsOwner(["\(cluster.binDirectory)/pg_ctl", "-D", cluster.dataDirectory, "-m", "fast", "-w", "stop"])
    }

    /// Starts the server again after `stop()` and waits until it accepts connections.
    public func start() throws {
        guard let cluster else { throw TestSupportError("cannot start a server from TEST_POSTGRES_URL") }
        let pgCtl = Self.asOwner(["\(cluster.binDirectory)/pg_ctl", "-D", cluster.dataDirectory,
                                  "-l", cluster.logFile, "-w", "-t", "60", "start"])
        let result = try Command.run(["bash", "-c", Self.closeInheritedDescriptors, "bash"] + pgCtl)
        guard result.status == 0 else {
            let log = (try? String(contentsOfFile: cluster.logFile, encoding: .utf8)) ?? ""
            throw TestSupportError("pg_ctl start exited \(result.status): \(result.errorOutput)\(result.output)\n"
                                   + "server log (end):\n\(log.suffix(4000))")
        }
    }

    private static func makeServer() throws -> PostgresServer {
        if let url = ProcessInfo.processInfo.environment["TEST_POSTGRES_URL"], !url.isEmpty {
            guard let components = URLComponents(string: url) else {
                throw TestSupportError("TEST_POSTGRES_URL is not a URL")
            }
            return PostgresServer(port: components.port ?? 5432, adminURL: url, cluster: nil)
        }
        let binDirectory = try serverBinDirectory()
        removeAbandonedClusters(binDirectory: binDirectory)
        let cluster = Cluster(directory: try TemporaryDirectory(prefix: directoryPrefix), binDirectory: binDirectory)
        try "\(getpid())".write(toFile: cluster.directory.file(ownerFile), atomically: true, encoding: .utf8)
        // PostgreSQL refuses to run as root: give the directory to `postgres` and run as that user.
        if geteuid() == 0 {
            try Command.check(["chown", "postgres:postgres", cluster.directory.path])
        }
        try runAsOwner(["\(cluster.binDirectory)/initdb", "-D", cluster.dataDirectory, "-A", "trust",
                        "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync"])
        let port = try freeTCPPort()
        let settings = """

            # pgassist tests
            listen_addresses = '127.0.0.1'
            port = \(port)
            unix_socket_directories = '\(cluster.directory.path)'
            max_connections = 200
            shared_buffers = 32MB
            fsync = off
            synchronous_commit = off
            full_page_writes = off

            """
        let config = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(cluster.dataDirectory)/postgresql.conf"))
        try config.seekToEnd()
        try config.write(contentsOf: Data(settings.utf8))
        try config.close()
        let server = PostgresServer(port: port, adminURL: "postgresql://postgres@127.0.0.1:\(port)/postgres",
                                    cluster: cluster)
        try server.start()
        return server
    }

    private static let directoryPrefix = "pgassist-pg"
    /// Holds the ID of the test process that started the cluster in the same directory.
    private static let ownerFile = "test-process.pid"

    /// Stops and removes clusters left behind by test processes that died without running
    /// their exit handler (a crash, a kill, a timeout).
    private static func removeAbandonedClusters(binDirectory: String) {
        let temporary = NSTemporaryDirectory()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
        for entry in entries where entry.hasPrefix("\(directoryPrefix)-") {
            let directory = "\(temporary)/\(entry)"
            guard let text = try? String(contentsOfFile: "\(directory)/\(ownerFile)", encoding: .utf8),
                  let owner = text.split(whereSeparator: \.isWhitespace).first.flatMap({ pid_t($0) }),
                  kill(owner, 0) != 0, errno == ESRCH else { continue }
            _ = try? Command.run(asOwner(["\(binDirectory)/pg_ctl", "-D", "\(directory)/data", "-m", "immediate", "-w", "stop"]))
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Debian's server binaries for the newest installed major version (`pg_config --bindir`
    /// names the client's folder, which may lack initdb).
    private static func serverBinDirectory() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap { Int($0) }
            .sorted(by: >)
        guard let version = versions.first(where: { FileManager.default.isExecutableFile(atPath: "\(root)/\($0)/bin/initdb") }) else {
            throw TestSupportError("no PostgreSQL server under \(root) (install postgresql)")
        }
        return "\(root)/\(version)/bin"
    }

    /// A bash script that closes every descriptor above 2, then runs its arguments.
    ///
    /// Foundation's `Process` learns that a child exited when a socket the child inherited is
    /// closed; the postmaster that `pg_ctl start` leaves behind would inherit it too and keep
    /// `Command.run` waiting for as long as the server runs (as would other tests' sockets).
    private static let closeInheritedDescriptors = """
        for fd in /proc/self/fd/*; do fd=${fd##*/}; if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi; done; exec "$@"
        """

    /// `arguments` prefixed to run as `postgres` when this process is root.
    private static func asOwner(_ arguments: [String]) -> [String] {
        geteuid() == 0 ? ["runuser", "-u", "postgres", "--"] + arguments : arguments
    }

    private static func runAsOwner(_ arguments: [String]) throws {
        try Command.check(asOwner(arguments))
    }

    private static func stopSharedServerAtExit() {
        let server = sharedServer.withLock { state in try? state?.get() }
        guard let server, let cluster = server.cluster else { return }
        try? server.stop()
        cluster.directory.remove()
    }
}
