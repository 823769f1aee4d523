import Foundation
import Postgres
import Synchronization

/// Databases with known contents on the shared test server, for tests of the catalog and SQL tools.
public enum FixtureDatabase {
    /// A new database loaded with `FixtureSchema.sql`; returns its libpq URL. Each call makes a
    /// fresh one, so a test may change it freely.
    public static func create(prefix: String = "fx") throws -> String {
        let url = try PostgresServer.shared().createDatabase(prefix: prefix)
        let connection = try PostgresConnection(connectionString: url)
        try connection.execute(FixtureSchema.sql)
        return url
    }

    /// A database loaded with the Pagila sample (`pagila-schema.sql`, then `pagila-data.sql`, from
    /// `../shared/data/pagila/`), made once per test process; nil when this checkout has no such folder.
    /// Tests must only read it: other tests share it.
    public static func pagila() throws -> String? {
        guard let shared = TestEnvironment.sharedFolder else { return nil }
        let folder = "\(shared)/data/pagila"
        guard FileManager.default.fileExists(atPath: "\(folder)/pagila-schema.sql") else { return nil }
        return try pagilaState.withLock { state -> String in
            if let state { return try state.get() }
            let result: Result<String, TestSupportError>
            do {
                result = .success(try loadPagila(from: folder))
            } catch let error as TestSupportError {
                result = .failure(error)
            } catch {
                result = .failure(TestSupportError("Pagila: \(error)"))
            }
            state = result
            return try result.get()
        }
    }

    private static let pagilaState = Mutex<Result<String, TestSupportError>?>(nil)

    private static func loadPagila(from folder: String) throws -> String {
        let url = try PostgresServer.shared().createDatabase(prefix: "pagila")
        for file in ["pagila-schema.sql", "pagila-data.sql"] {
            try Command.check(["/usr/bin/psql", "-X", "-v", "ON_ERROR_STOP=1", "-q", "-d", url, "-f", "\(folder)/\(file)"])
        }
        // The dump leaves statistics empty: give the planner (and list_tables) row estimates.
        try PostgresConnection(connectionString: url).execute("ANALYZE")
        return url
    }
}
