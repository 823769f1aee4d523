import JSON
import ToolsCore

/// `get_schema {table, schema?}`: the full description of one table, view, materialized view or
/// foreign table — columns, keys, constraints, indexes, row level security, triggers, partitions.
public struct GetSchemaTool: Tool {
    /// Creates the tool.
    public init() {}

    public var name: String { "get_schema" }

    public var description: String {
        """
        Describe one table or view: its columns (type, nullability, default, identity, generated expression, \
        enum values, comment), primary key, unique and check constraints, foreign keys in both directions, \
        indexes, row level security policies and triggers; for a view its definition, for a partitioned table \
        its partitions. Call it before writing SQL that uses a table.
        """
    }

    public var parameters: JSONValue {
        JSONSchema.object([
            .init("table", JSONSchema.string("The table or view name as stored, e.g. 'orders' (case matters)."), required: true),
            .init("schema", JSONSchema.string("Its schema, e.g. 'public' (default: search the user's schemas).")),
        ])
    }

    public var isReadOnly: Bool { true }

    private struct Arguments: Decodable {
        let table: String
        let schema: String?
    }

    public func execute(_ arguments: JSONValue, context: ToolContext) -> ToolResult {
        do throws(ToolError) {
            let input = try ToolArguments.decode(Arguments.self, from: arguments, schema: parameters)
            guard !input.table.isEmpty else {
                throw ToolError(.invalidArguments, "The argument 'table' must not be empty.")
            }
            let schema = input.schema.flatMap { $0.isEmpty ? nil : $0 }
            let database = try context.requireDatabase()
            let platformSchemas = context.settings.platformSchemas
            let sensitive = context.settings.sensitiveColumns
            // Projects on one database may list different sensitive columns.
            let key = "get_schema:" + JSONValue.array([schema.map(JSONValue.string) ?? .null, .string(input.table),
                                                       .array(sensitive.catalogParameters.map(JSONValue.string))]).serialized()
            let data = try database.cached(key) { () throws(ToolError) -> JSONValue in
                try database.transaction(readOnly: true) { connection throws(ToolError) in
                    let relation = try RelationResolver.resolve(table: input.table, schema: schema,
                                                                platformSchemas: platformSchemas, on: connection)
                    let details = try TableDetailsQuery.run(relation, on: connection)
                    let marked = try sensitive.columns(ofRelation: UInt32(relation.oid) ?? 0, on: connection)
                    return .object(Self.answer(relation, SensitiveSchema.mark(details, names: marked.names, whole: marked.whole)))
                }
            }
            return .success(data.objectValue ?? [:], truncatable: "columns")
        } catch {
            return .failure(error)
        }
    }

    /// The answer: identity first, then the catalog details that apply to the kind.
    static func answer(_ relation: RelationResolver.Resolved, _ details: [String: JSONValue]) -> [String: JSONValue] {
        var data = details
        data["schema"] = .string(relation.schema)
        data["name"] = .string(relation.name)
        data["kind"] = .string(relation.kind.rawValue)
        if data["columns"] == nil { data["columns"] = .array([]) }
        let enabled = data.removeValue(forKey: "rlsEnabled")
        let forced = data.removeValue(forKey: "rlsForced")
        let policies = data.removeValue(forKey: "policies")
        if relation.kind == .table || relation.kind == .partitionedTable {
            data["rls"] = .object(["enabled": enabled ?? .bool(false), "forced": forced ?? .bool(false),
                                   "policies": policies ?? .array([])])
        } else {
            // Keys, constraints and policies rarely apply to views and foreign tables: show only what exists.
            for (key, value) in data where value == .array([]) && key != "columns" { data[key] = nil }
        }
        if let count = data["partitionCount"]?.intValue, let shown = data["partitions"]?.arrayValue?.count, count > shown {
            data["partitionsOmitted"] = .number(Double(count - shown))
        }
        if !relation.alsoIn.isEmpty {
            data["alsoIn"] = .array(relation.alsoIn.map(JSONValue.string))
        }
        return data
    }
}
