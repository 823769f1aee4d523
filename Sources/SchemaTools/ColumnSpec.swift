import JSON
import ToolsCore

/// One column of a `create_table` call, as the model describes it (untrusted until checked).
struct ColumnSpec: Decodable {
    /// A foreign key from this column to a column of another table.
    struct Reference: Decodable {
        let table: String
        let column: String
        let schema: String?
        let onDelete: String?

        /// The argument names, to catch misspellings the decoder would ignore.
        static let keys: Set<String> = ["table", "column", "schema", "onDelete"]
    }

    package let name: String
    let type: String
    let nullable: Bool?
    /// A literal (string, number, boolean) or a well-known expression; null means none.
    let defaultValue: JSONValue?
    let primaryKey: Bool?
    let unique: Bool?
    let references: Reference?

    private enum CodingKeys: String, CodingKey {
        case name, type, nullable, defaultValue = "default", primaryKey, unique, references
    }

    /// The argument names, to catch misspellings the decoder would ignore.
    static let keys: Set<String> = ["name", "type", "nullable", "default", "primaryKey", "unique", "references"]

    /// The actions `onDelete` may name, spelled as in SQL.
    static let deleteActions: [String] = ["cascade", "restrict", "set null", "set default", "no action"]

    /// The JSON Schema of one column, strict-mode compatible.
    package static var schema: JSONValue {
        let onDelete: JSONValue = .object([
            "type": .array([.string("string"), .string("null")]),
            "enum": .array(deleteActions.map(JSONValue.string) + [.null]),
            "description": .string("What happens to this row when the referenced row is deleted (default: no action)."),
        ])
        let reference = JSONSchema.object([
            .init("table", JSONSchema.string("The referenced table."), required: true),
            .init("column", JSONSchema.string("The referenced column (usually its primary key)."), required: true),
            .init("schema", JSONSchema.string("The referenced table's schema (default: the new table's schema).")),
            .init("onDelete", onDelete),
        ], description: "A foreign key to another table's column.")
        let defaultValue: JSONValue = .object([
            "type": .array([.string("string"), .string("number"), .string("boolean")]),
            "description": .string("""
                The column default: a plain value ('active', 0, true), or one of now(), current_timestamp, \
                current_date, current_time, localtimestamp, gen_random_uuid(), auth.uid(). Other SQL expressions are refused.
                """),
        ])
        return JSONSchema.object([
            .init("name", JSONSchema.string("The column name: letters, digits and _, starting with a letter or _."), required: true),
            .init("type", JSONSchema.string("A PostgreSQL type, e.g. text, bigint, uuid, timestamptz, numeric(10,2), varchar(255), jsonb, text[]; serial and bigserial become identity columns."), required: true),
            .init("nullable", JSONSchema.boolean("Whether NULL is allowed (default true; primary key columns never are).")),
            .init("default", defaultValue),
            .init("primaryKey", JSONSchema.boolean("Part of the primary key (several columns make a composite key).")),
            .init("unique", JSONSchema.boolean("Values must be unique.")),
            .init("references", reference),
        ])
    }
}
