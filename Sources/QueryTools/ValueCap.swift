import JSON
import Postgres
import ToolsCore

/// run_sql's cap on one value, enforced by the server: a value whose text is longer than `limitBytes` never
/// leaves it. libpq reads a whole row into memory before anything can look at it (a FETCH of one row with a
/// 1 GB value costs the worker that gigabyte twice over), so the check cannot happen in the worker. The
/// query is nested, as the guard delimited it, in a projection that measures each value's text
/// (`format('%s', v)`, the type's own output) and sends NULL plus a marker (the size and a preview) instead.
struct ValueCap {
    /// The query's own columns, from describing it.
    let columns: [PostgresColumn]
    /// The longest value text sent, in bytes.
    let limitBytes: Int
    /// The most columns a capped query may return: the check parses the server's deparse of the projection
    /// (several hundred bytes a column) in the worker, and its memory grows with it.
    static let maxColumns = 300
    /// How much of a value that is too large is shown, in characters.
    static let previewCharacters = 200

    /// Memory one batch of rows may need at worst (every value at the cap), in bytes; batches stay below it
    /// unless a single row needs more.
    static let batchBytes = 16 << 20

    /// The worst case of one row's text, in bytes.
    var worstRowBytes: Int { columns.count * (limitBytes + 4 * Self.previewCharacters + 32) }

    /// `statement` nested in the measuring projection: the query's columns (too large ones NULL), then one
    /// marker column per query column, `BYTES:PREVIEW` for a value that was too large and NULL otherwise.
    ///
    /// Each value is computed once: the query is a `MATERIALIZED` CTE, so a volatile expression cannot
    /// measure small and then send something else. Its size is measured as JSON will escape it (a control
    /// character takes up to six bytes, a quote or backslash two), so the cap holds on what the worker holds.
    /// Columns of a pseudo-type (`record`, `anyarray`…) come back as their text, so the projection can be
    /// stored in a view. `OFFSET 0` keeps each level from being flattened into the next, where the text of a
    /// value would be made again for every use.
    func wrap(_ statement: String) -> String {
        let numbers = 1...columns.count
        let names = numbers.map { "c\($0)" }.joined(separator: ", ")
        let base = numbers.map { n in
            Self.pseudoTypes.contains(columns[n - 1].typeOID) ? "q.c\(n)::pg_catalog.text AS c\(n)" : "q.c\(n)"
        }
        let texts = numbers.map { "pg_catalog.format('%s', q.c\($0)) AS t\($0)" }
        let markers = numbers.map { n in
            let raw = "pg_catalog.octet_length(v.t\(n))"
            let plain = "pg_catalog.octet_length(pg_catalog.translate(v.t\(n), \(Self.escapedCharacters), ''))"
            // OPERATOR(…) spellings all bind alike, left to right: the parentheses say what multiplies.
            let escaped = "\(raw) OPERATOR(pg_catalog.+) (5 OPERATOR(pg_catalog.*) (\(raw) OPERATOR(pg_catalog.-) \(plain)))"
            let marker = "\(raw)::pg_catalog.text OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) "
                + "pg_catalog.left(v.t\(n), \(Self.previewCharacters))"
            // CASE tests in order: the escaped size is only counted on a value short enough to be sent.
            return "CASE WHEN \(raw) OPERATOR(pg_catalog.>) \(limitBytes) THEN \(marker) "
                + "WHEN \(escaped) OPERATOR(pg_catalog.>) \(limitBytes) THEN \(marker) END AS m\(n)"
        }
        let kept = numbers.map { "v.c\($0)" }
        let values = numbers.map { "CASE WHEN w.m\($0) IS NULL THEN w.c\($0) END AS c\($0)" }
        let sent = numbers.map { "w.m\($0)" }
        // Each level has at most two entries per column: PostgreSQL allows 1664 in a target list.
        return """
            WITH q(\(names)) AS MATERIALIZED (
            \(statement)
            )
            SELECT \((values + sent).joined(separator: ", ")) FROM (SELECT \((kept + markers).joined(separator: ", ")) \
            FROM (SELECT \((base + texts).joined(separator: ", ")) FROM q OFFSET 0) AS v OFFSET 0) AS w
            """
    }

    /// `statement` as a view can store it without the cap (for EXPLAIN): columns renamed `c1`, `c2`… (a view
    /// cannot repeat a name), pseudo-typed ones as text; a query of no columns gets one that is never read.
    static func storable(_ statement: String, columns: [PostgresColumn]) -> String {
        guard !columns.isEmpty else { return noColumns(statement) }
        let names = (1...columns.count).map { "c\($0)" }
        let selected = names.indices.map { index in
            pseudoTypes.contains(columns[index].typeOID) ? "q.\(names[index])::pg_catalog.text AS \(names[index])" : "q.\(names[index])"
        }
        return "SELECT \(selected.joined(separator: ", ")) FROM (\n\(statement)\n) AS q(\(names.joined(separator: ", ")))"
    }

    /// A query of no columns as a view can store it (a view needs one): read it back with `SELECT FROM`.
    static func noColumns(_ statement: String) -> String {
        "SELECT NULL::pg_catalog.int4 AS nothing FROM (\n\(statement)\n) AS q"
    }

    /// Result types that cannot be a view's column type (PostgreSQL's pseudo-types), sent as text instead.
    static let pseudoTypes: Set<UInt32> = [
        32, 269, 325, 705, 2249, 2275, 2276, 2277, 2278, 2279, 2280, 2281, 2283, 2287, 2776, 3115, 3310,
        3500, 3831, 3838, 4537, 4538, 5077, 5078, 5079, 5080,
    ]

    /// The characters JSON escapes, as an SQL literal: the control characters, `"` and `\`.
    private static let escapedCharacters: String = {
        var literal = "E'"
        for code in 1...31 { literal += "\\x" + String(code, radix: 16, uppercase: false).leftPadded(to: 2) }
        return literal + "\"\\\\'"
    }()

    /// A fetched batch of the wrapped query with the query's own column names and types on its first columns,
    /// so values decode as if the query had run alone (a pseudo-typed column as text).
    func relabel(_ batch: PostgresResult) -> PostgresResult {
        let own = columns.map { Self.pseudoTypes.contains($0.typeOID) ? PostgresColumn(name: $0.name, typeOID: 25) : $0 }
        return PostgresResult(columns: own + batch.columns.dropFirst(columns.count), rows: batch.rows)
    }

    /// The value in `row`, `column` of a relabelled batch: decoded, or for one that was too large
    /// `{"valueTooLarge": true, "bytes", "preview"}`.
    func value(_ batch: PostgresResult, _ row: Int, _ column: Int) -> JSONValue {
        guard let marker = batch.string(row, columns.count + column), let colon = marker.firstIndex(of: ":") else {
            return batch.value(row, column).json
        }
        return .object(["valueTooLarge": .bool(true), "bytes": .number(Double(marker[..<colon]) ?? 0),
                        "preview": .string(String(marker[marker.index(after: colon)...]))])
    }
}

extension String {
    /// The string with `0`s in front up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
