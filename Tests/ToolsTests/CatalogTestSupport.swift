import JSON
import QueryTools
import SchemaTools
import Synchronization
import TestSupport
import Testing
import ToolsCore
import TrashTools

/// What the catalog tool tests share: one fixture database for the tests that only read it, and
/// short ways to call a tool and look at its answer.
enum CatalogTestSupport {
    private static let sharedFixture = Mutex<Result<String, TestSupportError>?>(nil)

    /// A fixture database made once per test process; tests using it must not change it.
    static func sharedFixtureURL() throws -> String {
        try sharedFixture.withLock { state -> String in
            if let state { return try state.get() }
            let result: Result<String, TestSupportError>
            do {
                result = .success(try FixtureDatabase.create(prefix: "catalog"))
            } catch {
                result = .failure(TestSupportError("fixture database: \(error)"))
            }
            state = result
            return try result.get()
        }
    }

    /// A context for the database at `url`, with its own pool and cache.
    static func context(_ url: String, settings: ToolSettings = ToolSettings()) -> ToolContext {
        ToolContext(settings: settings,
                    database: DatabaseAccess(connectionString: url, pool: ConnectionPool(), settings: settings,
                                             cache: SchemaCache()),
                    userId: "u")
    }

    /// The data of a successful result, or a test failure showing the error.
    static func data(_ result: ToolResult, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: JSONValue] {
        try #require(result.data, "expected success, got \(result.json.serialized())", sourceLocation: sourceLocation)
    }

    /// The error of a failed result, or a test failure showing the data.
    static func error(_ result: ToolResult, sourceLocation: SourceLocation = #_sourceLocation) throws -> ToolError {
        try #require(result.error, "expected failure, got \(result.json.serialized())", sourceLocation: sourceLocation)
    }

    /// The `tables` of a list_tables answer as "schema.name" → item.
    static func tablesByName(_ data: [String: JSONValue]) -> [String: JSONValue] {
        var byName: [String: JSONValue] = [:]
        for item in data["tables"]?.arrayValue ?? [] {
            byName["\(item["schema"]?.stringValue ?? "?").\(item["name"]?.stringValue ?? "?")"] = item
        }
        return byName
    }

    /// The first element of the array `list` whose `name` is `name`.
    static func named(_ name: String, in list: JSONValue?) -> JSONValue? {
        list?.arrayValue?.first { $0["name"]?.stringValue == name }
    }

    /// A URL where nothing listens (a free port on 127.0.0.1).
    static func unreachableURL() throws -> String {
        "postgresql://postgres@127.0.0.1:\(try freeTCPPort())/nothing"
    }
}
