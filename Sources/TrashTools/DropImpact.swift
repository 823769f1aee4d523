import JSON
import Postgres
import ToolsCore

/// What dropping a table would do, shown to the user before they approve it.
struct DropImpact {
    let table: TableName
    /// The planner's row estimate, or an exact count (capped) when the table was never analyzed.
    package let estimatedRows: Int64
    /// Whether `estimatedRows` was counted rather than estimated.
    let rowCountExact: Bool
    /// Table, indexes and TOAST together, in bytes.
    let sizeBytes: Int64
    /// The same, as PostgreSQL prints it (`16 kB`).
    let size: String
    let dependents: TableDependents
    /// Everything `DROP … CASCADE` would remove.
    let cascade: DropCascade

    /// Most rows counted when there is no estimate; beyond it the count says "at least".
    static let countCap: Int64 = 100_000

    /// `{action, schema, table, estimatedRows, rowCountExact, sizeBytes, size, cascade, dependents, removes}`, and
    /// for a move to the trash `notKept` and `stayLinked`.
    func json(cascade: Bool, purge: Bool) -> JSONValue {
        var object: [String: JSONValue] = [
            "action": .string(purge ? "delete_permanently" : "move_to_trash"),
            "schema": .string(table.schema),
            "table": .string(table.name),
            "estimatedRows": .number(Double(estimatedRows)),
            "rowCountExact": .bool(rowCountExact),
            "sizeBytes": .number(Double(sizeBytes)),
            "size": .string(size),
            "cascade": .bool(cascade),
            "dependents": .array(dependents.summaries),
            "removes": .array(purge ? self.cascade.objects.map(\.summary) : dependents.summaries),
        ]
        if !purge {
            object["notKept"] = .array(notKept)
            object["stayLinked"] = .array(stayLinked)
        }
        return .object(object)
    }

    /// What a move to the trash cannot keep as it is, each with a `note` saying what happens to it.
    var notKept: [JSONValue] {
        func noted(_ summary: JSONValue, _ note: String) -> JSONValue {
            var object = summary.objectValue ?? [:]
            object["note"] = .string(note)
            return .object(object)
        }
        return dependents.views.map {
            noted($0.summary, "Dropped now; restore recreates it with its owner, grants and comments, but not column-level grants, triggers, rules or indexes on it.")
        } + dependents.foreignKeys.map {
            noted($0.summary, "Dropped now; restore adds it back if the rows still match.")
        } + dependents.outgoingForeignKeys.map {
            noted($0.summary, "The table's own key, dropped while it is in the trash so deletes elsewhere neither fail nor cascade into it; restore adds it back if the rows still match.")
        } + cascade.objects.filter { $0.own && $0.type == "trigger" }.map {
            noted($0.summary, "Disabled while the table is in the trash; restore sets it back.")
        }
    }

    /// Objects outside the table that keep using it in the trash (a policy that reads it reads the trashed copy,
    /// a function of its row type keeps that type, an inheriting table keeps inheriting).
    var stayLinked: [JSONValue] {
        cascade.external.filter { !["view", "materialized_view", "foreign_key"].contains($0.type) }.map(\.summary)
    }

    /// Measures `table`.
    static func measure(_ table: ResolvedTable, connection: PostgresConnection) throws(ToolError) -> DropImpact {
        let dependents = try TableDependents.find(oid: table.oid, connection: connection)
        let cascade = try DropCascade.find(oid: table.oid, connection: connection)
        let stats = try connection.ddlQuery("""
            SELECT c.reltuples::bigint, pg_catalog.pg_total_relation_size(c.oid),
                   pg_catalog.pg_size_pretty(pg_catalog.pg_total_relation_size(c.oid))
            FROM pg_catalog.pg_class c WHERE c.oid = $1::oid
            """, [table.oid])
        guard stats.count == 1 else {
            throw ToolError(.relationNotFound, "The table \(table.name.display) disappeared while it was measured.")
        }
        var rows = stats.int(0, 0) ?? -1
        var exact = false
        // -1 means "never vacuumed or analyzed"; a capped count is cheap and far more useful than nothing.
        if rows < 0 || table.kind == "p" {
            let counted = try connection.ddlQuery(
                "SELECT pg_catalog.count(*) FROM (SELECT 1 FROM \(table.name.sql) LIMIT \(countCap)) AS sample")
            rows = counted.int(0, 0) ?? 0
            exact = rows < countCap
        }
        return DropImpact(table: table.name, estimatedRows: rows, rowCountExact: exact, sizeBytes: stats.int(0, 1) ?? 0,
                          size: stats.string(0, 2) ?? "", dependents: dependents, cascade: cascade)
    }
}
