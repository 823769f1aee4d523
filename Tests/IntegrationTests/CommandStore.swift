import Foundation
import SQLite
import TestSupport
import Testing

/// A SQLite thread store that the built `pgassist migrate` made in a temporary folder, for the tests of the
/// commands operators run on the server's store (`audit`, `stats`): subclasses fill it with rows as the
/// workers write them, and run the binary on it.
class CommandStore: @unchecked Sendable {
    let directory: TemporaryDirectory
    let url: String
    /// The moment the rows are placed around, in milliseconds since the epoch.
    let now = Int64(Date().timeIntervalSince1970 * 1_000)

    init(prefix: String) throws {
        directory = try TemporaryDirectory(prefix: prefix)
        url = "sqlite://\(directory.file("store.db"))"
        let migrated = try Command.run([TestEnvironment.pgassistBinary, "migrate"],
                                       environment: ["PATH": "/usr/bin:/bin", "THREAD_STORE_URL": url, "LOG_LEVEL": "error"])
        guard migrated.status == 0 else { throw TestSupportError("pgassist migrate failed: \(migrated.errorOutput)") }
    }

    deinit { directory.remove() }

    /// A connection to write the rows with.
    func connection() throws -> SQLiteConnection {
        try SQLiteConnection(path: directory.file("store.db"))
    }

    /// `pgassist COMMAND ARGUMENTS…` on this store (or on `url`).
    func run(_ command: String, _ arguments: [String], url: String? = nil) throws -> Command.Result {
        try Command.run([TestEnvironment.pgassistBinary, command] + arguments,
                        environment: ["PATH": "/usr/bin:/bin", "THREAD_STORE_URL": url ?? self.url])
    }

    /// Checks that each of `badUsage` exits 2, and that a store that does not exist exits 1, says so and is
    /// not created.
    func expectRefusals(of command: String, badUsage: [[String]]) throws {
        for arguments in badUsage {
            let result = try run(command, arguments)
            #expect(result.status == 2, "\(arguments): \(result.output)\(result.errorOutput)")
        }
        let missing = directory.file("nowhere/store.db")
        let result = try run(command, [], url: "sqlite://\(missing)")
        #expect(result.status == 1)
        #expect(result.errorOutput.contains("no thread store"))
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    /// `milliseconds` as an RFC 3339 time in UTC, as the commands' `--since` and `--until` take it.
    static func iso8601(_ milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1_000))
    }
}
