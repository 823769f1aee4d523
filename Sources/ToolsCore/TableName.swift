import JSON

/// A table's schema and name as given (exact case), quoted for SQL and shown as `schema.name`.
package struct TableName: Hashable {
    package let schema: String
    package let name: String

    /// A name from its parts, as given.
    package init(schema: String, name: String) {
        self.schema = schema
        self.name = name
    }

    /// `"schema"."name"`, safe to put into SQL.
    package var sql: String { SQLIdentifier.quote(schema) + "." + SQLIdentifier.quote(name) }

    /// `schema.name`, for people.
    package var display: String { "\(schema).\(name)" }

    /// The name of an existing object the model refers to: 1–63 bytes without NUL. Unlike a name to create,
    /// any characters are accepted (it is looked up by parameter and quoted), so oddly named tables can be reached.
    package static func existing(_ name: String, field: String) throws(ToolError) -> String {
        let bytes = name.utf8
        guard !bytes.isEmpty, bytes.count <= SQLIdentifier.maxLength, !bytes.contains(0) else {
            throw ToolError(.invalidIdentifier, "'\(field)' must be a name of 1 to \(SQLIdentifier.maxLength) bytes.")
        }
        return name
    }
}
