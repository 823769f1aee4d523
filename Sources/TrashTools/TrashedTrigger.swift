import JSON
import ToolsCore

/// A user trigger on a table moved to the trash, with how it fired before: the move disables it (a trashed
/// table must not act on live data), and restore sets it back exactly.
struct TrashedTrigger: Equatable {
    package let name: String
    /// `pg_trigger.tgenabled`: `O` fires in origin and local sessions, `R` only in replicas, `A` always, `D` never.
    let enabled: String

    /// The `ALTER TABLE` action that brings back `enabled`.
    private static let actions = ["O": "ENABLE TRIGGER", "R": "ENABLE REPLICA TRIGGER", "A": "ENABLE ALWAYS TRIGGER",
                                  "D": "DISABLE TRIGGER"]

    /// What the trash log keeps: `{name, enabled}`.
    var record: JSONValue { .object(["name": .string(name), "enabled": .string(enabled)]) }

    /// What the user is shown.
    func summary(on table: TableName) -> JSONValue {
        .object(["type": .string("trigger"), "schema": .string(table.schema), "table": .string(table.name), "name": .string(name)])
    }

    init(name: String, enabled: String) {
        self.name = name
        self.enabled = enabled
    }

    /// Reads a `record` back; nil when its state is not one PostgreSQL has.
    init?(record: JSONValue) {
        guard let name = record["name"]?.stringValue, let enabled = record["enabled"]?.stringValue,
              Self.actions[enabled] != nil else { return nil }
        self.init(name: name, enabled: enabled)
    }

    /// `ALTER TABLE table ENABLE … TRIGGER name`, as it was before the move.
    func restoreStatement(on table: TableName) -> String {
        "ALTER TABLE \(table.sql) \(Self.actions[enabled] ?? "DISABLE TRIGGER") \(SQLIdentifier.quote(name))"
    }
}
