import JSON
import Postgres

/// `restore_table {table, schema?, trashedName?}`: brings a table that drop_table moved to the trash back
/// under its original name, with its rows, indexes and sequences, and recreates the views and foreign keys
/// that were dropped with it. Nothing is destroyed, so no approval is needed.
public struct RestoreTableTool: Tool {
    /// Creates the tool.
    public init() {}

    public var name: String { "restore_table" }

    public var description: String {
        """
        Restore a table that drop_table moved to the trash: it gets its original name back with all its rows, and \
        the views and foreign keys dropped with it are recreated. Without trashedName the most recent copy is restored. \
        Fails with restore_conflict when the name is taken again.
        """
    }

    public var parameters: JSONValue {
        JSONSchema.object([
            .init("table", JSONSchema.string("The table's original name."), required: true),
            .init("schema", JSONSchema.string("Its original schema (default public).")),
            .init("trashedName", JSONSchema.string("The name in the trash, from drop_table's trashedAs (without the schema); default: the most recent.")),
        ])
    }

    public var isReadOnly: Bool { false }

    private struct Arguments: Decodable {
        let table: String
        let schema: String?
        let trashedName: String?
    }

    /// One row of the trash log.
    private struct Entry {
        let trashedName: String
        let views: [DependentView]
        let foreignKeys: [DependentForeignKey]
        /// Indexes and sequences renamed on the way in: kind, original name, name in the trash.
        let renamed: [(kind: String, original: String, trashed: String)]
    }

    public func execute(_ arguments: JSONValue, context: ToolContext) -> ToolResult {
        do throws(ToolError) {
            let input = try ToolArguments.decode(Arguments.self, from: arguments, schema: parameters)
            let table = TableName(schema: try TableName.existing(input.schema ?? "public", field: "schema"),
                                  name: try TableName.existing(input.table, field: "table"))
            try ProtectedSchemas.check(table.schema, settings: context.settings)
            var trashedName = input.trashedName.flatMap { $0.isEmpty ? nil : $0 }
            // Accept drop_table's `trashedAs` as it was returned, schema and all.
            if let name = trashedName, name.hasPrefix(TrashSchema.name + ".") { trashedName = String(name.dropFirst(TrashSchema.name.count + 1)) }
            if let name = trashedName { _ = try TableName.existing(name, field: "trashedName") }
            let database = try context.requireDatabase()
            let data = try database.transaction(readOnly: false) { connection throws(ToolError) -> [String: JSONValue] in
                try Self.restore(table, trashedName: trashedName, connection: connection)
            }
            database.invalidateCache()
            return .success(data)
        } catch {
            return .failure(error)
        }
    }

    private static func restore(_ table: TableName, trashedName: String?,
                                connection: PostgresConnection) throws(ToolError) -> [String: JSONValue] {
        // Definitions were read with an empty search_path; replay them the same way.
        _ = try connection.ddlQuery("SELECT pg_catalog.set_config('search_path', '', true)")
        try TrashSchema.lock(connection)
        guard try TrashSchema.exists(connection), let entry = try entry(for: table, trashedName: trashedName, connection: connection) else {
            throw ToolError(.relationNotFound, "The trash holds no copy of \(table.display)"
                            + (trashedName.map { " named \($0)" } ?? "") + ".", details: ["table": .string(table.display)])
        }
        let schemaExists = try connection.ddlQuery("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", [table.schema])
        guard schemaExists.count == 1 else {
            throw ToolError(.relationNotFound, "The schema \(SQLIdentifier.quote(table.schema)) no longer exists; create it first, then restore.")
        }
        let wanted = [table.name] + entry.renamed.map(\.original)
        let taken = try connection.ddlQuery("""
            SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = ANY ($2::text[])
            ORDER BY c.relname
            """, [table.schema, Self.textArray(wanted)])
        if taken.count > 0 {
            let names = (0..<taken.count).compactMap { taken.string($0, 0) }
            throw ToolError(.restoreConflict, """
                \(names.map { "\(table.schema).\($0)" }.joined(separator: ", ")) already exist\(names.count == 1 ? "s" : ""); \
                rename or drop \(names.count == 1 ? "it" : "them") first, then restore again. Nothing was changed.
                """, details: ["conflicts": .array(names.map { .string("\(table.schema).\($0)") })])
        }
        let trashed = SQLIdentifier.quote(TrashSchema.name) + "." + SQLIdentifier.quote(entry.trashedName)
        let moved = SQLIdentifier.quote(table.schema) + "." + SQLIdentifier.quote(entry.trashedName)
        try run("ALTER TABLE \(trashed) SET SCHEMA \(SQLIdentifier.quote(table.schema))", connection)
        try run("ALTER TABLE \(moved) RENAME TO \(SQLIdentifier.quote(table.name))", connection)
        for item in entry.renamed {
            let kind = item.kind == "sequence" ? "SEQUENCE" : "INDEX"
            try run("ALTER \(kind) \(SQLIdentifier.quote(table.schema)).\(SQLIdentifier.quote(item.trashed)) RENAME TO \(SQLIdentifier.quote(item.original))", connection)
        }
        // Each dependent is recreated on its own: one that cannot come back (its table is gone, a name is
        // taken) is reported, and the table is restored regardless.
        var recreated: [JSONValue] = []
        var failed: [JSONValue] = []
        let statements = entry.views.map { ($0.summary, $0.createStatement) } + entry.foreignKeys.map { ($0.summary, $0.createStatement) }
        for (summary, statement) in statements {
            let attempt = try connection.ddlAttempt { () throws(ToolError) in _ = try connection.ddlQuery(statement) }
            switch attempt {
            case .success: recreated.append(summary)
            case .failure(let error):
                var object = summary.objectValue ?? [:]
                object["error"] = .string(error.message)
                failed.append(.object(object))
            }
        }
        _ = try connection.ddlQuery("DELETE FROM \(TrashSchema.log) WHERE trashed_name = $1", [entry.trashedName])
        var data: [String: JSONValue] = ["restored": .bool(true), "table": .string(table.display),
                                         "fromTrash": .string("\(TrashSchema.name).\(entry.trashedName)"),
                                         "recreated": .array(recreated)]
        if !failed.isEmpty { data["notRecreated"] = .array(failed) }
        return data
    }

    /// The newest log entry for `table` (or the one named `trashedName`), locked for this transaction.
    private static func entry(for table: TableName, trashedName: String?, connection: PostgresConnection) throws(ToolError) -> Entry? {
        let result = try connection.ddlQuery("""
            SELECT l.trashed_name, l.views::text, l.foreign_keys::text, l.renamed::text
            FROM \(TrashSchema.log) l
            JOIN pg_catalog.pg_class c ON c.relname = l.trashed_name
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = $3
            WHERE l.original_schema = $1 AND l.original_name = $2 AND ($4::text IS NULL OR l.trashed_name = $4::text)
            ORDER BY l.trashed_at DESC, l.trashed_name DESC
            LIMIT 1
            FOR UPDATE OF l
            """, [table.schema, table.name, TrashSchema.name, trashedName])
        guard result.count == 1, let name = result.string(0, 0) else { return nil }
        func parse(_ column: Int) -> [JSONValue] {
            result.string(0, column).flatMap { try? JSONValue.parse($0) }?.arrayValue ?? []
        }
        return Entry(trashedName: name,
                     views: parse(1).compactMap(DependentView.init(record:)),
                     foreignKeys: parse(2).compactMap(DependentForeignKey.init(record:)),
                     renamed: parse(3).compactMap { item in
                         guard let kind = item["kind"]?.stringValue, let original = item["original"]?.stringValue,
                               let trashed = item["trashed"]?.stringValue else { return nil }
                         return (kind, original, trashed)
                     })
    }

    /// Runs one DDL statement; a name taken meanwhile becomes `restore_conflict`.
    private static func run(_ sql: String, _ connection: PostgresConnection) throws(ToolError) {
        do throws(PostgresError) {
            _ = try connection.query(sql)
        } catch {
            if error.sqlState == "42P07" || error.sqlState == "42710" {
                throw ToolError(.restoreConflict, "A name the table needs is taken: \(error.message). Nothing was changed.")
            }
            throw ToolError.from(error)
        }
    }

    /// A PostgreSQL array literal of `values`, every element quoted, for binding as `text[]`.
    private static func textArray(_ values: [String]) -> String {
        "{" + values.map { value in
            "\"" + value.unicodeScalars.map { $0 == "\"" || $0 == "\\" ? "\\\($0)" : "\($0)" }.joined() + "\""
        }.joined(separator: ",") + "}"
    }
}
