import JSON
import Postgres

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
    /// The most columns a capped query may return: the projection needs two entries per column, and
    /// PostgreSQL allows 1664 in one target list.
    static let maxColumns = 800
    /// How much of a value that is too large is shown, in characters.
    static let previewCharacters = 200

    /// Memory one batch of rows may need at worst (every value at the cap), in bytes; batches stay below it
    /// unless a single row needs more.
    static let batchBytes = 16 << 20

    /// The worst case of one row's text, in bytes.
    var worstRowBytes: Int { columns.count * (limitBytes + 4 * Self.previewCharacters + 32) }

    /// `statement` nested in the measuring projection: the query's columns (too large ones NULL), then one
    /// marker column per query column, `BYTES:PREVIEW` for a value that was too large and NULL otherwise.
    /// The query runs once per row (`OFFSET 0` keeps it from being flattened into the projection).
    func wrap(_ statement: String) -> String {
        let numbers = 1...columns.count
        let aliases = numbers.map { "c\($0)" }.joined(separator: ", ")
        let texts = numbers.map { "pg_catalog.format('%s', q.c\($0)) AS t\($0)" }.joined(separator: ", ")
        let tooLarge = { (n: Int) in "pg_catalog.octet_length(v.t\(n)) OPERATOR(pg_catalog.>) \(limitBytes)" }
        let values = numbers.map { "CASE WHEN \(tooLarge($0)) THEN NULL ELSE v.c\($0) END" }
        let markers = numbers.map { n in
            "CASE WHEN \(tooLarge(n)) THEN pg_catalog.octet_length(v.t\(n))::pg_catalog.text OPERATOR(pg_catalog.||) ':' "
                + "OPERATOR(pg_catalog.||) pg_catalog.left(v.t\(n), \(Self.previewCharacters)) END"
        }
        return "SELECT \((values + markers).joined(separator: ", ")) FROM (SELECT q.*, \(texts) FROM (\n\(statement)\n) AS q(\(aliases)) OFFSET 0) AS v"
    }

    /// A fetched batch of the wrapped query with the query's own column names and types on its first columns,
    /// so values decode as if the query had run alone.
    func relabel(_ batch: PostgresResult) -> PostgresResult {
        PostgresResult(columns: columns + batch.columns.dropFirst(columns.count), rows: batch.rows)
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
