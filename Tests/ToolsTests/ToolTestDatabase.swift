import Foundation
import Postgres
import QueryTools
import Synchronization
import SchemaTools
import TestSupport
import ToolsCore
import TrashTools

/// A fresh database on the shared test server, with helpers to set it up and look at it directly
/// (bypassing the tools), and a tool context pointing at it.
final class ToolTestDatabase: @unchecked Sendable {
    let url: String
    let connection: PostgresConnection

    init(prefix: String = "tools") throws {
        url = try PostgresServer.shared().createDatabase(prefix: prefix)
        connection = try PostgresConnection(connectionString: url)
    }

    /// The database `state` holds, made on the first call (prefix `prefix`, set up with `sql`); a failure is
    /// kept too, described as `what`, so later callers fail the same way without trying again.
    static func once(_ state: borrowing Mutex<Result<ToolTestDatabase, TestSupportError>?>, prefix: String, sql: String,
                     what: String) throws -> ToolTestDatabase {
        try state.withLock { state -> ToolTestDatabase in
            if let state { return try state.get() }
            let result: Result<ToolTestDatabase, TestSupportError>
            do {
                let database = try ToolTestDatabase(prefix: prefix)
                try database.execute(sql)
                result = .success(database)
            } catch {
                result = .failure(TestSupportError("\(what): \(error)"))
            }
            state = result
            return try result.get()
        }
    }

    /// Runs setup SQL (several statements allowed).
    func execute(_ sql: String) throws { try connection.execute(sql) }

    /// The first column of the first row of `sql`, as text.
    func scalar(_ sql: String) throws -> String? {
        let result = try connection.query(sql)
        return result.count > 0 ? result.string(0, 0) : nil
    }

    /// A tool context for this database with `settings`.
    func context(_ settings: ToolSettings = ToolSettings(), user: String = "tester",
                 actions: (any PendingActionStore)? = nil, approvedActionId: String? = nil) -> ToolContext {
        ToolContext(settings: settings,
                    database: DatabaseAccess(connectionString: url, pool: ConnectionPool(), settings: settings, cache: SchemaCache()),
                    userId: user, actions: actions, approvedActionId: approvedActionId)
    }
}
