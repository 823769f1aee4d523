import JSON
import Postgres
import QueryTools
import SQLGuard
import ToolsCore

/// `create_table {schema?, table, columns, enableRls?, comment?}`: creates one table in one transaction.
/// Names are validated and quoted, types are resolved by PostgreSQL (`to_regtype`, `format_type`) and
/// only their canonical text is used, and defaults are plain values or a few known expressions: nothing
/// the model writes is pasted into SQL. Returns what `get_schema` returns for the new table.
public struct CreateTableTool: Tool {
    /// Creates the tool.
    public init() {}

    public var name: String { "create_table" }

    public var description: String {
        """
        Create a new table with columns, primary key, unique columns and foreign keys. Row level security is \
        enabled by default (add policies afterwards, or nobody but privileged roles can read it). Returns the new \
        table's description. System and platform schemas (auth, storage, …) cannot be changed.
        """
    }

    public var parameters: JSONValue {
        JSONSchema.object([
            .init("schema", JSONSchema.string("The schema (default public).")),
            .init("table", JSONSchema.string("The new table's name: letters, digits and _, starting with a letter or _."), required: true),
            .init("columns", JSONSchema.array(ColumnSpec.schema, "The columns, in order (at least one)."), required: true),
            .init("enableRls", JSONSchema.boolean("Enable row level security (default true).")),
            .init("comment", JSONSchema.string("A description stored as the table comment.")),
        ])
    }

    public var isReadOnly: Bool { false }

    private struct Arguments: Decodable {
        let schema: String?
        let table: String
        let columns: [ColumnSpec]
        let enableRls: Bool?
        let comment: String?
    }

    /// A column after its names and default were checked (the type is resolved in the transaction).
    private struct CheckedColumn {
        let spec: ColumnSpec
        let defaultValue: ColumnDefault?
        let reference: (table: TableName, column: String, onDelete: String?)?
    }

    public func execute(_ arguments: JSONValue, context: ToolContext) -> ToolResult {
        do throws(ToolError) {
            try Self.rejectUnknownNestedKeys(arguments)
            let input = try ToolArguments.decode(Arguments.self, from: arguments, schema: parameters)
            let table = TableName(schema: try SQLIdentifier.validate(input.schema ?? "public", field: "schema"),
                                  name: try SQLIdentifier.validate(input.table, field: "table"))
            try ProtectedSchemas.check(table.schema, settings: context.settings)
            let columns = try Self.check(input.columns, in: table)
            if let comment = input.comment, comment.utf8.count > 10_000 || comment.utf8.contains(0) {
                throw ToolError(.invalidArguments, "The argument 'comment' must be at most 10000 bytes of text.")
            }
            let database = try context.requireDatabase()
            try database.transaction(readOnly: false) { connection throws(ToolError) in
                try Self.create(table, columns: columns, enableRls: input.enableRls ?? true, comment: input.comment,
                                settings: context.settings, connection: connection)
            }
            database.invalidateCache()
            return .success(["created": .bool(true), "table": try Self.describe(table, context: context)])
        } catch {
            return .failure(error)
        }
    }

    // MARK: Checks that need no database

    /// The decoder ignores names it does not know inside columns; a misspelled `primarykey` must not
    /// silently create a table without a key.
    private static func rejectUnknownNestedKeys(_ arguments: JSONValue) throws(ToolError) {
        for (index, column) in (arguments["columns"]?.arrayValue ?? []).enumerated() {
            guard let members = column.objectValue else { continue }
            if let unknown = members.keys.sorted().first(where: { !ColumnSpec.keys.contains($0) }) {
                throw ToolError(.invalidArguments, "Unknown argument 'columns[\(index)].\(unknown)'; a column takes "
                                + ColumnSpec.keys.sorted().map { "'\($0)'" }.joined(separator: ", ") + ".")
            }
            if let reference = members["references"]?.objectValue,
               let unknown = reference.keys.sorted().first(where: { !ColumnSpec.Reference.keys.contains($0) }) {
                throw ToolError(.invalidArguments, "Unknown argument 'columns[\(index)].references.\(unknown)'; a reference takes "
                                + ColumnSpec.Reference.keys.sorted().map { "'\($0)'" }.joined(separator: ", ") + ".")
            }
        }
    }

    private static func check(_ specs: [ColumnSpec], in table: TableName) throws(ToolError) -> [CheckedColumn] {
        guard (1...1_600).contains(specs.count) else {
            throw ToolError(.invalidArguments, "The argument 'columns' must list 1 to 1600 columns.")
        }
        var seen = Set<String>()
        var checked: [CheckedColumn] = []
        for (index, spec) in specs.enumerated() {
            let name = try SQLIdentifier.validate(spec.name, field: "columns[\(index)].name")
            guard seen.insert(name).inserted else {
                throw ToolError(.invalidArguments, "The column name '\(name)' appears twice.")
            }
            let defaultValue = try ColumnDefault.parse(spec.defaultValue, column: name)
            if spec.primaryKey == true, spec.nullable == true {
                throw ToolError(.invalidArguments, "Column '\(name)': a primary key column cannot be nullable.")
            }
            var reference: (table: TableName, column: String, onDelete: String?)?
            if let target = spec.references {
                let schema = try SQLIdentifier.validate(target.schema ?? table.schema, field: "columns[\(index)].references.schema")
                if schema.lowercased() == ProtectedSchemas.trash {
                    throw ToolError(.protectedSchema, "Column '\(name)': tables in the trash cannot be referenced.")
                }
                let referenced = TableName(schema: schema,
                                           name: try SQLIdentifier.validate(target.table, field: "columns[\(index)].references.table"))
                let column = try SQLIdentifier.validate(target.column, field: "columns[\(index)].references.column")
                var onDelete: String?
                if let action = target.onDelete {
                    let normalized = action.lowercased().split(separator: " ").joined(separator: " ")
                    guard ColumnSpec.deleteActions.contains(normalized) else {
                        throw ToolError(.invalidArguments, "Column '\(name)': onDelete must be one of "
                                        + ColumnSpec.deleteActions.joined(separator: ", ") + ".")
                    }
                    onDelete = normalized.uppercased()
                }
                reference = (referenced, column, onDelete)
            }
            checked.append(CheckedColumn(spec: spec, defaultValue: defaultValue, reference: reference))
        }
        return checked
    }

    // MARK: The transaction

    private static func create(_ table: TableName, columns: [CheckedColumn], enableRls: Bool, comment: String?,
                               settings: ToolSettings, connection: PostgresConnection) throws(ToolError) {
        let schemaExists = try connection.ddlQuery("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", [table.schema])
        guard schemaExists.count == 1 else {
            throw ToolError(.relationNotFound, "The schema \(SQLIdentifier.quote(table.schema)) does not exist; create it first or use public.")
        }
        let existing = try connection.ddlQuery("""
            SELECT c.relkind::text FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = $2
            """, [table.schema, table.name])
        if existing.count > 0 {
            throw ToolError(.relationExists, "\(table.display) already exists; choose another name, or change the existing table.",
                            details: ["table": .string(table.display)])
        }
        var lines: [String] = []
        for column in columns {
            let name = column.spec.name
            let type = try ColumnType.resolve(column.spec.type, column: name, settings: settings, connection: connection)
            var line = "\(SQLIdentifier.quote(name)) \(type.sql)"
            if type.isIdentity {
                if column.defaultValue != nil {
                    throw ToolError(.invalidArguments, "Column '\(name)': a serial (identity) column cannot also have a default.")
                }
                line += " GENERATED BY DEFAULT AS IDENTITY"
            }
            if column.spec.primaryKey == true || column.spec.nullable == false || type.isIdentity { line += " NOT NULL" }
            if let value = column.defaultValue {
                line += " DEFAULT " + (try defaultSQL(value, type: type, column: name, connection: connection))
            }
            if column.spec.unique == true, column.spec.primaryKey != true { line += " UNIQUE" }
            if let reference = column.reference {
                line += " REFERENCES \(reference.table.sql) (\(SQLIdentifier.quote(reference.column)))"
                if let action = reference.onDelete { line += " ON DELETE \(action)" }
            }
            lines.append(line)
        }
        let keys = columns.filter { $0.spec.primaryKey == true }.map { SQLIdentifier.quote($0.spec.name) }
        if !keys.isEmpty { lines.append("PRIMARY KEY (\(keys.joined(separator: ", ")))") }
        do throws(PostgresError) {
            _ = try connection.query("CREATE TABLE \(table.sql) (\n    \(lines.joined(separator: ",\n    "))\n)")
        } catch {
            throw createError(error, table: table)
        }
        if enableRls { _ = try connection.ddlQuery("ALTER TABLE \(table.sql) ENABLE ROW LEVEL SECURITY") }
        if let comment { _ = try connection.ddlQuery("COMMENT ON TABLE \(table.sql) IS \(try connection.ddlLiteral(comment))") }
    }

    /// The SQL for a default: a known expression as this code spells it, or a literal quoted by the server
    /// and first cast to the column type, so a value the type cannot hold is refused naming the column.
    private static func defaultSQL(_ value: ColumnDefault, type: ColumnType, column: String,
                                   connection: PostgresConnection) throws(ToolError) -> String {
        switch value {
        case .expression(let sql):
            return sql
        case .boolean(let flag):
            return flag ? "true" : "false"
        case .literal(let text):
            // Reading the value runs the input functions of the type, and the CHECK constraints of the domains
            // in it: none may be user code (this connection may be a superuser).
            try QueryProbe(guardLayer: ReadOnlyGuard(), connection: connection).checkTypes(named: [type.sql])
            let literal = try connection.ddlLiteral(text)
            let cast = try connection.ddlAttempt { () throws(ToolError) in
                _ = try connection.ddlQuery("SELECT CAST(\(literal) AS \(type.sql))")
            }
            if case .failure(let error) = cast {
                throw ToolError(.invalidArguments, "Column '\(column)': the default '\(text)' is not a valid \(type.sql): \(error.message)")
            }
            return literal
        }
    }

    /// CREATE TABLE failures the model can fix are `invalid_arguments` (or their own codes), with PostgreSQL's words.
    private static func createError(_ error: PostgresError, table: TableName) -> ToolError {
        var message = error.message
        if let detail = error.detail { message += " Detail: \(detail)" }
        switch error.sqlState {
        case "42P07": return ToolError(.relationExists, "\(table.display) already exists.", details: ["table": .string(table.display)])
        case "42P01": return ToolError(.relationNotFound, "A referenced table does not exist: \(message)")
        case "42703", "42830", "42804", "42P16", "42611", "42P10", "42883", "22023", "22P02", "0A000":
            return ToolError(.invalidArguments, message)
        default: return ToolError.from(error)
        }
    }

    // MARK: The description

    /// What `get_schema` returns for the new table.
    private static func describe(_ table: TableName, context: ToolContext) throws(ToolError) -> JSONValue {
        let result = GetSchemaTool().execute(.object(["schema": .string(table.schema), "table": .string(table.name)]),
                                             context: context)
        if let error = result.error { throw error }
        var data = result.data ?? [:]
        data["success"] = nil
        return .object(data)
    }
}
