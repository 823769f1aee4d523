import JSON
import ToolsCore

/// What `get_schema` shows of a relation with sensitive columns (`SensitiveColumns`): every column still
/// appears with its name and type, a sensitive one marked `"sensitive": true`; and because such a table's
/// expressions can hold a secret as a constant (a default token, a CHECK comparing with a key, a policy
/// matching a password), its column defaults and generated expressions, CHECK constraints, policy
/// expressions and index definitions are hidden when they embed a string literal (a `'` in the server's
/// deparse, which writes every string constant quoted). Expressions without one (`now()`, `id > 0`,
/// `auth.uid() = user_id`) stay. Tables without sensitive columns are shown unchanged.
enum SensitiveSchema {
    /// What replaces a hidden expression.
    static let hidden = JSONValue.string("[hidden: embeds a literal on a table with sensitive columns]")

    /// `details` (from `TableDetailsQuery`) with `names` marked, and literals hidden when the relation has a
    /// sensitive column or is listed `whole`.
    static func mark(_ details: [String: JSONValue], names: Set<String>, whole: Bool) -> [String: JSONValue] {
        guard whole || !names.isEmpty else { return details }
        var data = details
        if let columns = data["columns"]?.arrayValue {
            data["columns"] = .array(columns.map { column in
                guard var object = column.objectValue else { return column }
                if whole || names.contains(object["name"]?.stringValue ?? "") { object["sensitive"] = .bool(true) }
                hide(["default", "generated"], in: &object)
                return .object(object)
            })
        }
        for (list, fields) in [("checkConstraints", ["definition"]), ("policies", ["using", "withCheck"]),
                               ("indexes", ["definition"])] {
            guard let items = data[list]?.arrayValue else { continue }
            data[list] = .array(items.map { item in
                guard var object = item.objectValue else { return item }
                hide(fields, in: &object)
                return .object(object)
            })
        }
        return data
    }

    /// Replaces the string `fields` of `object` that hold a quote.
    private static func hide(_ fields: [String], in object: inout [String: JSONValue]) {
        for field in fields where object[field]?.stringValue?.contains("'") == true { object[field] = hidden }
    }
}
