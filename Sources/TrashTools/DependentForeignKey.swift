import JSON
import ToolsCore

/// A foreign key that goes away while a table is in the trash: one on another table that references the table
/// being dropped, or one of the table's own that references another table. Kept in the trash log as
/// structured data (columns, referenced table, actions), from which restore builds the statement: the
/// catalog's definition text is shown, never replayed.
struct DependentForeignKey: Equatable {
    package let schema: String
    let table: String
    package let name: String
    /// `pg_get_constraintdef` output, for people; restore does not run it.
    let definition: String
    /// What restore builds the constraint from; nil for a record an older release wrote without it.
    let structure: Structure?

    /// A foreign key's parts, as `pg_constraint` holds them.
    struct Structure: Equatable {
        let columns: [String]
        let referencedSchema: String
        let referencedTable: String
        let referencedColumns: [String]
        /// `pg_constraint.confupdtype` / `confdeltype`: `a` no action, `r` restrict, `c` cascade, `n` set null, `d` set default.
        let onUpdate: String
        let onDelete: String
        /// `confmatchtype`: `s` simple, `f` full, `p` partial.
        let match: String
        let deferrable: Bool
        let deferred: Bool
        let validated: Bool

        static let actions = ["a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"]
        static let matches = ["s": "SIMPLE", "f": "FULL", "p": "PARTIAL"]

        var record: [String: JSONValue] {
            ["columns": .array(columns.map(JSONValue.string)), "referencedSchema": .string(referencedSchema),
             "referencedTable": .string(referencedTable), "referencedColumns": .array(referencedColumns.map(JSONValue.string)),
             "onUpdate": .string(onUpdate), "onDelete": .string(onDelete), "match": .string(match),
             "deferrable": .bool(deferrable), "deferred": .bool(deferred), "validated": .bool(validated)]
        }

        /// Reads the parts back; nil when any is missing or not one of the known codes.
        init?(record: JSONValue) {
            guard let columns = record["columns"]?.arrayValue?.compactMap(\.stringValue), !columns.isEmpty,
                  let referencedSchema = record["referencedSchema"]?.stringValue,
                  let referencedTable = record["referencedTable"]?.stringValue,
                  let referencedColumns = record["referencedColumns"]?.arrayValue?.compactMap(\.stringValue),
                  referencedColumns.count == columns.count,
                  let onUpdate = record["onUpdate"]?.stringValue, Self.actions[onUpdate] != nil,
                  let onDelete = record["onDelete"]?.stringValue, Self.actions[onDelete] != nil,
                  let match = record["match"]?.stringValue, Self.matches[match] != nil else { return nil }
            self.init(columns: columns, referencedSchema: referencedSchema, referencedTable: referencedTable,
                      referencedColumns: referencedColumns, onUpdate: onUpdate, onDelete: onDelete, match: match,
                      deferrable: record["deferrable"]?.boolValue ?? false, deferred: record["deferred"]?.boolValue ?? false,
                      validated: record["validated"]?.boolValue ?? true)
        }

        init(columns: [String], referencedSchema: String, referencedTable: String, referencedColumns: [String],
             onUpdate: String, onDelete: String, match: String, deferrable: Bool, deferred: Bool, validated: Bool) {
            self.columns = columns
            self.referencedSchema = referencedSchema
            self.referencedTable = referencedTable
            self.referencedColumns = referencedColumns
            self.onUpdate = onUpdate
            self.onDelete = onDelete
            self.match = match
            self.deferrable = deferrable
            self.deferred = deferred
            self.validated = validated
        }

        /// `FOREIGN KEY (…) REFERENCES s.t (…) …`, every name quoted and every keyword from this code.
        var clause: String {
            let list = { (names: [String]) in names.map(SQLIdentifier.quote).joined(separator: ", ") }
            var sql = "FOREIGN KEY (\(list(columns))) REFERENCES \(SQLIdentifier.quote(referencedSchema)).\(SQLIdentifier.quote(referencedTable))"
                + " (\(list(referencedColumns)))"
            if match != "s" { sql += " MATCH \(Self.matches[match] ?? "SIMPLE")" }
            sql += " ON UPDATE \(Self.actions[onUpdate] ?? "NO ACTION") ON DELETE \(Self.actions[onDelete] ?? "NO ACTION")"
            if deferrable { sql += deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE" }
            if !validated { sql += " NOT VALID" }
            return sql
        }
    }

    /// What the user is shown: `{type, schema, table, name}`.
    var summary: JSONValue {
        .object(["type": .string("foreign_key"), "schema": .string(schema), "table": .string(table), "name": .string(name)])
    }

    /// What the trash log keeps.
    var record: JSONValue {
        var object: [String: JSONValue] = ["schema": .string(schema), "table": .string(table), "name": .string(name),
                                           "definition": .string(definition)]
        object.merge(structure?.record ?? [:]) { first, _ in first }
        return .object(object)
    }

    init(schema: String, table: String, name: String, definition: String, structure: Structure?) {
        self.schema = schema
        self.table = table
        self.name = name
        self.definition = definition
        self.structure = structure
    }

    /// Reads a `record` back from the trash log.
    init?(record: JSONValue) {
        guard let schema = record["schema"]?.stringValue, let table = record["table"]?.stringValue,
              let name = record["name"]?.stringValue, let definition = record["definition"]?.stringValue else { return nil }
        self.init(schema: schema, table: table, name: name, definition: definition, structure: Structure(record: record))
    }

    private var owner: String { SQLIdentifier.quote(schema) + "." + SQLIdentifier.quote(table) }

    /// Drops the constraint from its table.
    var dropStatement: String { "ALTER TABLE \(owner) DROP CONSTRAINT \(SQLIdentifier.quote(name))" }

    /// Adds it again (checking the existing rows), or nil when the record has no structure to build it from.
    var createStatement: String? {
        structure.map { "ALTER TABLE \(owner) ADD CONSTRAINT \(SQLIdentifier.quote(name)) \($0.clause)" }
    }
}
