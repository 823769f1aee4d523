import JSON
import ToolsCore

/// `list_tables {schema?, includeViews?, includeSystem?, limit?, cursor?}`: the tables, views,
/// materialized views and foreign tables of the database, a page at a time, in (schema, name) order.
///
/// System schemas and the deployment's platform schemas are hidden unless asked for. A page never
/// exceeds the output budget: when the items do not fit it is cut short, says `truncated` and how
/// many were `omitted`, and `nextCursor` continues right after the last item shown.
public struct ListTablesTool: Tool {
    /// The most relations one page may ask for.
    static let maxLimit = 1_000
    /// Relations per page when the model does not say.
    static let defaultLimit = 200
    /// Characters of a comment shown in a listing (get_schema shows all of it).
    static let commentLength = 200

    /// Creates the tool.
    public init() {}

    public var name: String { "list_tables" }

    public var description: String {
        """
        List the tables, views, materialized views and foreign tables in the user's database, with schema, \
        kind, estimated row count, size in bytes, whether row level security is on, and comment. Use it first \
        to see what exists; then call get_schema for the columns of a table. System and platform schemas \
        (auth, storage, …) are hidden unless named in 'schema'. Large databases come in pages: pass \
        'nextCursor' back as 'cursor'.
        """
    }

    public var parameters: JSONValue {
        JSONSchema.object([
            .init("schema", JSONSchema.string("Only this schema, e.g. 'public' (default: every user schema).")),
            .init("includeViews", JSONSchema.boolean("Include views and materialized views (default true).")),
            .init("includeSystem", JSONSchema.boolean("Include system and platform schemas such as pg_catalog and auth (default false).")),
            .init("limit", JSONSchema.integer("Most relations per page, 1 to \(Self.maxLimit) (default \(Self.defaultLimit)).")),
            .init("cursor", JSONSchema.string("The 'nextCursor' of the previous page, to continue after it.")),
        ])
    }

    public var isReadOnly: Bool { true }

    private struct Arguments: Decodable {
        let schema: String?
        let includeViews: Bool?
        let includeSystem: Bool?
        let limit: Int?
        let cursor: String?
    }

    public func execute(_ arguments: JSONValue, context: ToolContext) -> ToolResult {
        do throws(ToolError) {
            let input = try ToolArguments.decode(Arguments.self, from: arguments, schema: parameters)
            let limit = input.limit ?? Self.defaultLimit
            guard (1...Self.maxLimit).contains(limit) else {
                throw ToolError(.invalidArguments, "The argument 'limit' must be from 1 to \(Self.maxLimit).")
            }
            let schema = input.schema.flatMap { $0.isEmpty ? nil : $0 }
            let cursorText = input.cursor.flatMap { $0.isEmpty ? nil : $0 }
            let cursor = try cursorText.map { text throws(ToolError) in try ListTablesCursor(decoding: text) }
            let includeViews = input.includeViews ?? true
            let filter = ListTablesQuery.Filter(
                schema: schema,
                kinds: includeViews ? RelationKind.allCases : [.table, .partitionedTable, .foreignTable],
                includeSystem: input.includeSystem ?? false,
                platformSchemas: context.settings.platformSchemas,
                after: cursor.map { (schema: $0.schema, name: $0.name) },
                limit: limit)
            let database = try context.requireDatabase()
            let budget = context.settings.outputBudgetBytes
            let key = "list_tables:" + JSONValue.array([
                schema.map(JSONValue.string) ?? .null, .bool(includeViews), .bool(filter.includeSystem),
                .number(Double(limit)), cursorText.map(JSONValue.string) ?? .null, .number(Double(budget)),
            ]).serialized()
            let data = try database.cached(key) { () throws(ToolError) -> JSONValue in
                let page = try database.transaction(readOnly: true) { connection throws(ToolError) in
                    try ListTablesQuery.run(filter, on: connection)
                }
                if let schema, !page.schemaExists {
                    throw ToolError(.relationNotFound,
                                    "There is no schema named '\(schema)'. Call list_tables without 'schema' to see every table and its schema.")
                }
                return .object(Self.answer(page, budget: budget))
            }
            return .success(data.objectValue ?? [:], truncatable: "tables")
        } catch {
            return .failure(error)
        }
    }

    /// The answer for `page`, cut short to fit `budget` bytes; the cursor then points at the last item kept.
    static func answer(_ page: ListTablesQuery.Page, budget: Int) -> [String: JSONValue] {
        let items = page.relations.map(item)
        var base: [String: JSONValue] = ["total": .number(Double(page.total))]
        if !page.hiddenSchemas.isEmpty { base["hiddenSchemas"] = .array(page.hiddenSchemas.map(JSONValue.string)) }
        if page.sizesEstimated { base["sizesEstimated"] = .bool(true) }
        let moreAfterPage = page.before + items.count < page.total

        func answer(keeping kept: Int) -> [String: JSONValue] {
            var data = base
            data["tables"] = .array(Array(items.prefix(kept)))
            if kept < items.count || moreAfterPage, kept > 0 {
                let last = page.relations[kept - 1]
                data["nextCursor"] = .string(ListTablesCursor(schema: last.schema, name: last.name).encoded)
                data["remaining"] = .number(Double(page.total - page.before - kept))
            }
            if kept < items.count {
                data["truncated"] = .bool(true)
                data["omitted"] = .number(Double(items.count - kept))
                data["note"] = .string("This page was cut short to fit the output budget; pass 'nextCursor' as 'cursor' for the rest.")
            }
            return data
        }
        func size(_ data: [String: JSONValue]) -> Int {
            var object = data
            object["success"] = .bool(true)
            return JSONValue.object(object).serializedBytes().count
        }

        // Room for the cursor, counts and note added when the page is cut.
        var used = size(answer(keeping: 0)) + 400
        var kept = 0
        for item in items {
            let itemSize = item.serializedBytes().count + 1
            if kept > 0 && used + itemSize > budget { break }
            used += itemSize
            kept += 1
        }
        var data = answer(keeping: kept)
        while kept > 1 && size(data) > budget {
            kept -= 1
            data = answer(keeping: kept)
        }
        return data
    }

    private static func item(_ relation: ListTablesQuery.Relation) -> JSONValue {
        var object: [String: JSONValue] = [
            "schema": .string(relation.schema),
            "name": .string(relation.name),
            "kind": .string(relation.kind.rawValue),
            "rls": .bool(relation.rowLevelSecurity),
        ]
        if let rows = relation.estimatedRows { object["estimatedRows"] = .number(Double(rows)) }
        if let bytes = relation.sizeBytes { object["sizeBytes"] = .number(Double(bytes)) }
        if let comment = relation.comment {
            object["comment"] = .string(comment.count > commentLength ? comment.prefix(commentLength) + "…" : comment)
        }
        if let parent = relation.partitionOf {
            object["partitionOf"] = .object(["schema": .string(parent.schema), "name": .string(parent.name)])
        }
        return .object(object)
    }
}
