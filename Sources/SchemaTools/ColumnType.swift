import Postgres
import ToolsCore

/// A column type resolved by PostgreSQL itself: the canonical text `format_type` gives back, which
/// is what goes into the DDL. The model's spelling is never pasted.
struct ColumnType: Equatable {
    /// The canonical type, e.g. `character varying(255)` or `timestamp with time zone`.
    package let sql: String
    /// Whether the column is an identity column (what `serial` and `bigserial` ask for).
    let isIdentity: Bool

    /// `serial` pseudo-types: the integer type each stands for.
    private static let serialTypes: [String: String] = [
        "smallserial": "smallint", "serial2": "smallint", "serial": "integer", "serial4": "integer",
        "bigserial": "bigint", "serial8": "bigint",
    ]

    /// Resolves `text` with `to_regtype`, then adds a length, precision or scale (checked here, as
    /// whole numbers in range) through `format_type(oid, typmod)`. Fails with `invalid_arguments`
    /// naming `column`, or `protected_schema` for a type of a protected schema (`checkOwnership`).
    package static func resolve(_ text: String, column: String, settings: ToolSettings,
                        connection: PostgresConnection) throws(ToolError) -> ColumnType {
        func invalid(_ reason: String) -> ToolError {
            ToolError(.invalidArguments,
                      "Column '\(column)': \(reason) Use a PostgreSQL type such as text, bigint, uuid, boolean, timestamptz, jsonb, numeric(10,2) or varchar(255).")
        }
        let trimmed = text.trimmingCharacters(in: " \t\n")
        guard !trimmed.isEmpty, trimmed.utf8.count <= 200, !trimmed.utf8.contains(0) else {
            throw invalid("the type must be 1 to 200 characters.")
        }
        guard let (base, modifiers) = splitModifiers(trimmed) else {
            throw invalid("'\(trimmed)' is not a PostgreSQL type.")
        }
        if let integer = serialTypes[base.lowercased()] {
            guard modifiers.isEmpty else { throw invalid("'\(trimmed)' takes no length or precision.") }
            return ColumnType(sql: integer, isIdentity: true)
        }
        // to_regtype raises a syntax error (PostgreSQL 15) or returns NULL (16+) for text that is not a type
        // name; either way nothing runs, and the savepoint keeps the transaction usable.
        let lookup = try connection.ddlAttempt { () throws(ToolError) -> PostgresResult in
            try connection.ddlQuery("""
                SELECT CASE WHEN t.typcategory = 'A' THEN t.typelem ELSE t.oid END::text, t.typtype::text,
                       t.typisdefined, pg_catalog.format_type(t.oid, NULL), t.oid::text
                FROM pg_catalog.pg_type t WHERE t.oid = pg_catalog.to_regtype($1)
                """, [base])
        }
        guard case .success(let result) = lookup, result.count == 1, let canonical = result.string(0, 3),
              let element = result.int(0, 0), let oid = result.string(0, 4) else {
            throw invalid("'\(trimmed)' is not a PostgreSQL type.")
        }
        guard result.string(0, 1) != "p", result.bool(0, 2) == true else {
            throw invalid("'\(trimmed)' is a pseudo-type and cannot be stored in a column.")
        }
        try checkOwnership(oid: oid, column: column, settings: settings, connection: connection)
        if modifiers.isEmpty { return ColumnType(sql: canonical, isIdentity: false) }
        guard let typmod = typeModifier(element: element, modifiers) else {
            throw invalid("'\(trimmed)' has a length, precision or scale that \(canonical) does not take or that is out of range.")
        }
        guard let withModifier = try connection.ddlQuery("SELECT pg_catalog.format_type($1::oid, $2::integer)", [oid, String(typmod)])
                .string(0, 0) else {
            throw invalid("'\(trimmed)' is not a PostgreSQL type.")
        }
        return ColumnType(sql: withModifier, isIdentity: false)
    }

    /// `varchar(255)` → (`varchar`, [255]); `timestamp(3) with time zone` → (`timestamp with time zone`, [3]).
    /// Nil when parentheses hold anything but one or two whole numbers.
    static func splitModifiers(_ text: String) -> (base: String, modifiers: [Int])? {
        guard let open = text.firstIndex(of: "(") else {
            return text.contains(")") ? nil : (text, [])
        }
        guard let close = text[open...].firstIndex(of: ")") else { return nil }
        let inside = text[text.index(after: open)..<close]
        let rest = text[text.index(after: close)...]
        guard !rest.contains("("), !rest.contains(")") else { return nil }
        let parts = inside.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.filter { $0 != " " } }
        guard (1...2).contains(parts.count),
              parts.allSatisfy({ !$0.isEmpty && $0.count <= 9 && $0.allSatisfy { ("0"..."9").contains($0) } }) else {
            return nil
        }
        let base = (String(text[..<open]) + " " + String(rest)).split(separator: " ").joined(separator: " ")
        return (base, parts.compactMap { Int($0) })
    }

    /// The type modifier PostgreSQL stores for `element` (a base type OID) with `modifiers`,
    /// for the built-in types that take one; nil when the type takes none or a number is out of range.
    static func typeModifier(element: Int64, _ modifiers: [Int]) -> Int? {
        let first = modifiers[0]
        switch element {
        case 1043, 1042:  // varchar(n), char(n): n plus the 4-byte header
            guard modifiers.count == 1, (1...10_485_760).contains(first) else { return nil }
            return first + 4
        case 1700:  // numeric(p) or numeric(p, s)
            let scale = modifiers.count == 2 ? modifiers[1] : 0
            guard (1...1_000).contains(first), (0...first).contains(scale) else { return nil }
            return (first << 16 | scale) + 4
        case 1560, 1562:  // bit(n), varbit(n)
            guard modifiers.count == 1, (1...83_886_080).contains(first) else { return nil }
            return first
        case 1083, 1266, 1114, 1184:  // time, timetz, timestamp, timestamptz: fractional digits
            guard modifiers.count == 1, (0...6).contains(first) else { return nil }
            return first
        case 1186:  // interval(p) over the full range of fields
            guard modifiers.count == 1, (0...6).contains(first) else { return nil }
            return 0x7FFF << 16 | first
        default:
            return nil
        }
    }
}
