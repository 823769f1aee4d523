import JSON
import Operations
import Policies
import SchemaTools
import Store
import ToolsCore

/// The system instructions of a run: the stored assistant definition's, then what the model should know
/// about this conversation (project, user, and a compact list of the database's tables, cached).
enum RunInstructions {
    /// The most tables named in the instructions; the model can page through the rest with list_tables.
    static let maxTables = 60

    static func make(base: String, projectRef: String, userId: String, tables: String?) -> String {
        var text = base
        text += "\n\nContext of this conversation:\n- Supabase project: \(projectRef)\n- User id: \(userId)\n"
        if let tables {
            text += "- Tables in the database (from list_tables; may be incomplete or slightly out of date): \(tables)\n"
        } else {
            text += "- The database could not be listed right now; tools will say why if it stays unreachable.\n"
        }
        return text
    }

    /// `schema.name (kind, ~rows)` for the first tables of the database, or nil when it cannot be listed.
    static func tableSummary(database: DatabaseAccess, settings: ToolSettings, userId: String) -> String? {
        let value = try? database.cached("instructions.tables") { () throws(ToolError) -> JSONValue in
            let context = ToolContext(settings: settings, database: database, userId: userId)
            let result = ListTablesTool().execute(.object(["limit": .number(Double(maxTables))]), context: context)
            if let error = result.error { throw error }
            return result.json
        }
        guard let value, let tables = value["tables"]?.arrayValue else { return nil }
        if tables.isEmpty { return "none yet" }
        var parts = tables.map { table -> String in
            let name = "\(table["schema"]?.stringValue ?? "?").\(table["name"]?.stringValue ?? "?")"
            var notes: [String] = []
            if let kind = table["kind"]?.stringValue, kind != "table" { notes.append(kind) }
            if let rows = table["estimatedRows"]?.intValue, rows >= 0 { notes.append("~\(rows) rows") }
            return notes.isEmpty ? name : "\(name) (\(notes.joined(separator: ", ")))"
        }
        if value["nextCursor"]?.stringValue != nil || value["truncated"]?.boolValue == true {
            parts.append("… (more: call list_tables)")
        }
        return parts.joined(separator: "; ")
    }
}
