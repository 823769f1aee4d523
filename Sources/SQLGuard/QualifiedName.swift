import JSON

/// A possibly schema-qualified name from the parse tree (a function or operator name), as
/// PostgreSQL will look it up: unquoted parts already lower-cased, quoted parts as written.
struct QualifiedName: Equatable {
    /// The parts, outermost first: `[name]`, `[schema, name]` or `[catalog, schema, name]`.
    let parts: [String]

    /// Reads a list of `String` nodes (`[{"String":{"sval":"pg_catalog"}},…]`); nil when any
    /// element is something else.
    init?(nodes: JSONValue?) {
        guard let elements = nodes?.arrayValue, !elements.isEmpty else { return nil }
        var parts: [String] = []
        parts.reserveCapacity(elements.count)
        for element in elements {
            guard let string = element["String"] else { return nil }
            // libpg_query leaves out empty strings.
            parts.append(string["sval"]?.stringValue ?? "")
        }
        self.parts = parts
    }

    init(parts: [String]) {
        self.parts = parts
    }

    /// The last part: the function's or operator's own name.
    var name: String { parts[parts.count - 1] }

    /// The schema part, or nil for an unqualified name.
    var schema: String? { parts.count >= 2 ? parts[parts.count - 2] : nil }

    /// The name as SQL would write it, quoting parts that need it (`public."MyFn"`).
    var sql: String {
        parts.map(Self.quotedIfNeeded).joined(separator: ".")
    }

    /// The name with every part double-quoted, as `to_regtype`/`to_regclass` must be given it: a bare part
    /// that is a keyword (`real`, `integer`) would be read as the built-in type the keyword stands for.
    var quotedSQL: String {
        parts.map { part in
            var quoted = "\""
            for character in part { quoted.append(character == "\"" ? "\"\"" : String(character)) }
            return quoted + "\""
        }.joined(separator: ".")
    }

    /// An operator as SQL would write it: `OPERATOR(public.===)`, or just `+` when unqualified.
    var operatorSQL: String {
        guard parts.count > 1 else { return name }
        return "OPERATOR(" + parts.dropLast().map(Self.quotedIfNeeded).joined(separator: ".") + "." + name + ")"
    }

    /// The identifier as written in SQL: bare when it is lower-case letters, digits, `_` and `$`
    /// (not starting with a digit or `$`), otherwise double-quoted.
    static func quotedIfNeeded(_ identifier: String) -> String {
        let plain = !identifier.isEmpty && identifier.utf8.enumerated().allSatisfy { offset, byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "_"): true
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "$"): offset > 0
            default: false
            }
        }
        if plain { return identifier }
        var quoted = "\""
        for character in identifier {
            quoted.append(character == "\"" ? "\"\"" : String(character))
        }
        return quoted + "\""
    }
}
