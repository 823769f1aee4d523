import JSON
import Postgres
import QueryTools
import SQLGuard
import ToolsCore

/// `restore_table {table, schema?, trashedName?}`: brings a table that drop_table moved to the trash back
/// under its original name, with its rows, indexes and sequences, and recreates the views (with their owner,
/// grants and comments) and foreign keys that were dropped with it. A user restores their own copies at once;
/// a copy another user dropped needs the user's approval, as drop_table does (`confirmation_required` naming
/// who dropped it). Each restore is recorded in `pgassist_trash.restore_log` with who dropped and who restored.
public struct RestoreTableTool: Tool {
    /// Creates the tool.
    public init() {}

    public var name: String { "restore_table" }

    public var description: String {
        """
        Restore a table that drop_table moved to the trash: it gets its original name back with all its rows, and \
        the views and foreign keys dropped with it are recreated. Without trashedName the most recent copy this user \
        dropped is restored (else the most recent of anyone's). A copy another user dropped needs the user's approval: \
        the call returns confirmation_required with an actionId and who dropped it; ask the user, and the call is repeated \
        once they approve. Fails with restore_conflict when the name is taken again.
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
    /// Restoring a copy another user dropped waits for the user's approval; one's own copy does not.
    public var selfApproval: SelfApproval { .sometimes }

    private struct Arguments: Decodable {
        let table: String
        let schema: String?
        let trashedName: String?
    }

    /// The request with every default filled in: what an approval to restore someone else's copy is bound to.
    struct Request {
        let table: TableName
        let trashedName: String?

        /// Compact, sorted-key JSON of the normalized arguments.
        var arguments: String {
            JSONValue.object(["schema": .string(table.schema), "table": .string(table.name),
                              "trashedName": trashedName.map(JSONValue.string) ?? .null]).serialized()
        }
    }

    /// What the transaction did.
    private enum Outcome {
        case restored([String: JSONValue])
        /// The copy is another user's (`trashedBy`), or pgassist's store does not know whose (nil): the user must
        /// approve first. Nothing was changed.
        case needsApproval(TrashEntry, trashedBy: String?)
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
            let request = Request(table: table, trashedName: trashedName)
            let database = try context.requireDatabase()
            // An approval names the very copy the user was shown.
            let approvedCopy = try context.approvedActionId.map { id throws(ToolError) in
                try consumeApproval(id, request: request, context: context)
            }
            let outcome = try database.transaction(readOnly: false) { connection throws(ToolError) -> Outcome in
                try Self.restore(table, trashedName: approvedCopy ?? trashedName, approved: approvedCopy != nil,
                                 userId: context.userId, records: context.trashRecords, connection: connection)
            }
            switch outcome {
            case .restored(let data):
                database.invalidateCache()
                return .success(data)
            case .needsApproval(let entry, let trashedBy):
                throw try askApproval(request, entry: entry, trashedBy: trashedBy, context: context)
            }
        } catch {
            return .failure(error)
        }
    }

    private static func restore(_ table: TableName, trashedName: String?, approved: Bool, userId: String,
                                records: (any TrashRecordStore)?, connection: PostgresConnection) throws(ToolError) -> Outcome {
        // Definitions were read with an empty search_path; replay them the same way.
        _ = try connection.ddlQuery("SELECT pg_catalog.set_config('search_path', '', true)")
        try TrashSchema.lock(connection)
        guard try TrashSchema.existsTrusted(connection) else {
            throw ToolError(.relationNotFound, "The trash holds no copy of \(table.display)"
                            + (trashedName.map { " named \($0)" } ?? "") + ".", details: ["table": .string(table.display)])
        }
        try TrashSchema.ensure(connection)
        guard let entry = try TrashEntry.find(table, trashedName: trashedName, preferring: userId, connection: connection) else {
            throw ToolError(.relationNotFound, "The trash holds no copy of \(table.display)"
                            + (trashedName.map { " named \($0)" } ?? "") + ".", details: ["table": .string(table.display)])
        }
        // Whose copy it is comes from pgassist's own store: the log in the target database is not the judge.
        let trashedBy = try records?.trashedCopy(entry.key)?.userId
        if trashedBy != userId, !approved { return .needsApproval(entry, trashedBy: trashedBy) }
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
        for trigger in entry.triggers { try connection.ddlQuery(trigger.restoreStatement(on: table)) }
        // Each dependent is recreated on its own: one that cannot come back (its table is gone, a name is
        // taken) is reported, and the table is restored regardless. A view's owner, grants and comments
        // follow it; when they cannot (the role is gone, ours may not act for it), the view stays and says so.
        var recreated: [JSONValue] = []
        var failed: [JSONValue] = []
        var bare: [JSONValue] = []
        func attempt(_ summary: JSONValue, _ statements: [String], into list: inout [JSONValue]) throws(ToolError) -> Bool {
            let result = try connection.ddlAttempt { () throws(ToolError) in
                for statement in statements { _ = try connection.ddlQuery(statement) }
            }
            guard case .failure(let error) = result else { return true }
            var object = summary.objectValue ?? [:]
            object["error"] = .string(error.message)
            list.append(.object(object))
            return false
        }
        // Nothing read back from the log is run unchecked: a view's definition must still pass the read-only
        // guard as one plain SELECT, and a foreign key is built from its recorded parts.
        for view in entry.views {
            if let refusal = try checkedDefinition(view.definition, connection: connection) {
                var object = view.summary.objectValue ?? [:]
                object["error"] = .string("Its stored definition was not run: \(refusal). Recreate it by hand if it is wanted.")
                failed.append(.object(object))
                continue
            }
            guard try attempt(view.summary, [view.createStatement], into: &failed) else { continue }
            recreated.append(view.summary)
            let access = try view.accessStatements(connection: connection)
            if !access.isEmpty { _ = try attempt(view.summary, access, into: &bare) }
        }
        for foreignKey in entry.foreignKeys {
            guard let statement = foreignKey.createStatement else {
                var object = foreignKey.summary.objectValue ?? [:]
                object["error"] = .string("An earlier release kept only its definition, which is not run: \(foreignKey.definition). Add it by hand if it is wanted.")
                failed.append(.object(object))
                continue
            }
            if try attempt(foreignKey.summary, [statement], into: &failed) { recreated.append(foreignKey.summary) }
        }
        try TrashSchema.recordRestore(of: entry, trashedBy: trashedBy, as: table, by: userId, connection: connection)
        _ = try connection.ddlQuery("DELETE FROM \(TrashSchema.log) WHERE trashed_name = $1", [entry.trashedName])
        var data: [String: JSONValue] = ["restored": .bool(true), "table": .string(table.display),
                                         "fromTrash": .string("\(TrashSchema.name).\(entry.trashedName)"),
                                         "trashedBy": trashedBy.map(JSONValue.string) ?? .null, "trashedAt": .string(entry.trashedAt),
                                         "recreated": .array(recreated)]
        if !failed.isEmpty { data["notRecreated"] = .array(failed) }
        if !bare.isEmpty { data["accessNotRestored"] = .array(bare) }
        return .restored(data)
    }

    /// Why a view definition read back from the trash log may not be run, or nil: it must be one SELECT the
    /// read-only guard allows, and pass run_sql's check of what the server resolves (`QueryProbe`: no user
    /// code while it is analysed, refilled or read). The check's temporary view is dropped again and the
    /// replay's empty `search_path` put back.
    private static func checkedDefinition(_ definition: String, connection: PostgresConnection) throws(ToolError) -> String? {
        let guardLayer = ReadOnlyGuard()
        let inspection = guardLayer.inspect(definition)
        guard case .allowed(.select) = inspection.verdict else {
            return guardLayer.checkDeparsed(definition)?.message ?? "it is not one SELECT"
        }
        let checked = try connection.ddlAttempt { () throws(ToolError) in
            let probe = QueryProbe(guardLayer: guardLayer, connection: connection)
            try probe.checkInputTypes(of: inspection)
            try probe.storeAndCheck("\n\(inspection.statement)\n")
            _ = try connection.ddlQuery("DROP VIEW \(QueryProbe.viewName)")
        }
        _ = try connection.ddlQuery("SELECT pg_catalog.set_config('search_path', '', true)")
        if case .failure(let error) = checked { return error.message }
        return nil
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
