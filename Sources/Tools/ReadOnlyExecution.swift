import JSON
import Postgres
import SQLGuard

/// The layers of `run_sql` below the parser: the query runs inside `BEGIN READ ONLY` with the tool
/// timeouts (and the configured role), and the transaction is always rolled back. These layers hold
/// on their own: a write that slipped past the parser still cannot change tables or schema.
public enum ReadOnlyExecution {
    /// What a query returned.
    public struct Output: Sendable {
        /// Column names (repeats get a `_2`, `_3` suffix) and type names.
        public let columns: [(name: String, type: String)]
        /// Rows as objects keyed by column name.
        public let rows: [JSONValue]
        /// Whether more rows existed than were returned.
        public let truncated: Bool
        /// How long the query took, in milliseconds.
        public let durationMilliseconds: Double

        /// The tool's success data.
        var json: [String: JSONValue] {
            [
                "columns": .array(columns.map { .object(["name": .string($0.name), "type": .string($0.type)]) }),
                "rows": .array(rows),
                "rowCount": .number(Double(rows.count)),
                "truncated": .bool(truncated),
                "durationMs": .number((durationMilliseconds * 10).rounded() / 10),
            ]
        }
    }

    /// Runs `sql` read-only and returns at most `maxRows` rows. A SELECT is read through a cursor so
    /// only `maxRows + 1` rows ever leave the server; other kinds run as they are. `kind` nil means
    /// "unchecked" (used to prove these layers without the parser): the statement runs as given.
    /// `implicitCalls` (from the guard) are checked against the catalogs first, unless nil (user functions allowed).
    public static func run(_ sql: String, kind: StatementKind?, implicitCalls: ImplicitCalls? = nil, maxRows: Int,
                           database: DatabaseAccess, role: String?) throws(ToolError) -> Output {
        try database.transaction(readOnly: true, role: role) { connection throws(ToolError) -> Output in
            if let implicitCalls, let refusal = try ImplicitCallCheck.refusal(implicitCalls, connection: connection) {
                throw refusal
            }
            let start = ContinuousClock.now
            let result: PostgresResult
            do throws(PostgresError) {
                if kind == .select {
                    _ = try connection.query("DECLARE pgassist_rows NO SCROLL CURSOR FOR \(sql)")
                    result = try connection.query("FETCH FORWARD \(maxRows + 1) FROM pgassist_rows")
                } else {
                    result = try connection.query(sql)
                }
            } catch {
                throw ToolError.from(error)
            }
            let elapsed = ContinuousClock.now - start
            let names = uniqueNames(result.columns.map(\.name))
            let types = try typeNames(result.columns.map(\.typeOID), connection: connection)
            let count = min(result.count, maxRows)
            var rows: [JSONValue] = []
            rows.reserveCapacity(count)
            for row in 0..<count {
                var object: [String: JSONValue] = [:]
                for column in names.indices { object[names[column]] = result.value(row, column).json }
                rows.append(.object(object))
            }
            let milliseconds = Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
            return Output(columns: Array(zip(names, types)).map { (name: $0.0, type: $0.1) }, rows: rows,
                          truncated: result.count > maxRows, durationMilliseconds: milliseconds)
        }
    }

    /// `["id", "count", "count"]` → `["id", "count", "count_2"]`.
    static func uniqueNames(_ names: [String]) -> [String] {
        var seen: [String: Int] = [:]
        var taken = Set(names)
        return names.map { name in
            let occurrence = (seen[name] ?? 0) + 1
            seen[name] = occurrence
            guard occurrence > 1 else { return name }
            var suffix = occurrence
            while taken.contains("\(name)_\(suffix)") { suffix += 1 }
            taken.insert("\(name)_\(suffix)")
            return "\(name)_\(suffix)"
        }
    }

    /// Type names as PostgreSQL formats them: common built-ins from a table, the rest asked of the server.
    private static func typeNames(_ oids: [UInt32], connection: PostgresConnection) throws(ToolError) -> [String] {
        var names = oids.map { BuiltinTypes.names[$0] }
        let unknown = Set(oids.indices.filter { names[$0] == nil }.map { oids[$0] })
        if !unknown.isEmpty {
            let list = "{" + unknown.map(String.init).joined(separator: ",") + "}"
            do throws(PostgresError) {
                let result = try connection.query("SELECT t.oid, format_type(t.oid, NULL) FROM unnest($1::oid[]) AS t(oid)", [list])
                var found: [UInt32: String] = [:]
                for row in 0..<result.count {
                    if let oid = result.string(row, 0).flatMap(UInt32.init), let name = result.string(row, 1) { found[oid] = name }
                }
                for index in names.indices where names[index] == nil { names[index] = found[oids[index]] ?? "unknown" }
            } catch {
                throw ToolError.from(error)
            }
        }
        return names.map { $0 ?? "unknown" }
    }
}
