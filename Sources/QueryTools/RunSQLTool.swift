import JSON
import Postgres
import SQLGuard
import ToolsCore

/// `run_sql {query, maxRows?}`: one read-only query, behind independent layers — the guard on the parse tree,
/// the check of what the server resolved for it (`QueryProbe`), a `READ ONLY` transaction that is always
/// rolled back, and (when configured) a separate low-privilege login (`SQL_READ_ONLY_CONNECTION`) or role.
public struct RunSQLTool: Tool {
    /// Creates the tool.
    public init() {}

    public var name: String { "run_sql" }

    public var description: String {
        """
        Run one read-only SQL query (SELECT, WITH, VALUES, TABLE, EXPLAIN without ANALYZE, or SHOW) on the \
        user's PostgreSQL database and get the columns and rows back. Writes, DDL and functions with side \
        effects are refused. Rows are capped; ask for fewer columns or aggregate when results are large.
        """
    }

    public var parameters: JSONValue {
        JSONSchema.object([
            .init("query", JSONSchema.string("One SQL statement, read-only."), required: true),
            .init("maxRows", JSONSchema.integer("Most rows to return (default 100)."), required: false),
        ])
    }

    public var isReadOnly: Bool { true }

    /// The longest query taken, in bytes: checking one costs the worker several hundred times its size.
    static let maxQueryBytes = 100 * 1024

    private struct Arguments: Decodable {
        let query: String
        let maxRows: Int?
    }

    public func execute(_ arguments: JSONValue, context: ToolContext) -> ToolResult {
        do throws(ToolError) {
            let input = try ToolArguments.decode(Arguments.self, from: arguments, schema: parameters)
            let settings = context.settings
            guard input.query.utf8.count <= Self.maxQueryBytes else {
                throw ToolError(.invalidArguments, """
                    The query is \(input.query.utf8.count) bytes; run_sql takes at most \(Self.maxQueryBytes / 1024) KiB. Send a shorter query.
                    """)
            }
            let maxRows = input.maxRows ?? settings.defaultMaxRows
            guard (1...settings.hardMaxRows).contains(maxRows) else {
                throw ToolError(.invalidArguments, "The argument 'maxRows' must be from 1 to \(settings.hardMaxRows).")
            }
            let guardLayer = ReadOnlyGuard(configuration: .init(allowUserFunctions: settings.allowUserFunctions))
            let kind: StatementKind
            let inspection = guardLayer.inspect(input.query)
            switch inspection.verdict {
            case .allowed(let allowed):
                kind = allowed
            case .refused(let refusal):
                throw ToolError(refusal.isParseError ? .sqlParseError : .sqlNotReadOnly, refusal.message,
                                details: Self.details(of: refusal))
            }
            let database = try context.requireDatabase()
            let output = try ReadOnlyExecution.run(inspection, guardLayer: guardLayer, maxRows: maxRows,
                                                   database: try database.readingLogin(), role: settings.readOnlyRole)
            return .success(output.json, truncatable: "rows")
        } catch {
            return .failure(error)
        }
    }

    private static func details(of refusal: GuardRefusal) -> [String: JSONValue] {
        var details: [String: JSONValue] = ["reason": .string(refusal.reason.rawValue)]
        if let position = refusal.position { details["position"] = .number(Double(position)) }
        return details
    }
}
