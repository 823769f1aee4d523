import JSON

/// A foreign key on another table that references a table being dropped, with its definition.
struct DependentForeignKey: Equatable {
    let schema: String
    let table: String
    let name: String
    /// `pg_get_constraintdef` output, read with an empty `search_path` so names are schema-qualified.
    let definition: String

    /// What the user is shown: `{type, schema, table, name}`.
    var summary: JSONValue {
        .object(["type": .string("foreign_key"), "schema": .string(schema), "table": .string(table), "name": .string(name)])
    }

    /// What the trash log keeps.
    var record: JSONValue {
        .object(["schema": .string(schema), "table": .string(table), "name": .string(name), "definition": .string(definition)])
    }

    init(schema: String, table: String, name: String, definition: String) {
        self.schema = schema
        self.table = table
        self.name = name
        self.definition = definition
    }

    /// Reads a `record` back from the trash log.
    init?(record: JSONValue) {
        guard let schema = record["schema"]?.stringValue, let table = record["table"]?.stringValue,
              let name = record["name"]?.stringValue, let definition = record["definition"]?.stringValue else { return nil }
        self.init(schema: schema, table: table, name: name, definition: definition)
    }

    private var owner: String { SQLIdentifier.quote(schema) + "." + SQLIdentifier.quote(table) }

    /// Drops the constraint from its table.
    var dropStatement: String { "ALTER TABLE \(owner) DROP CONSTRAINT \(SQLIdentifier.quote(name))" }

    /// Adds it again (checking the existing rows).
    var createStatement: String { "ALTER TABLE \(owner) ADD CONSTRAINT \(SQLIdentifier.quote(name)) \(definition)" }
}
