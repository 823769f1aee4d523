import JSON
import PgQuery

/// An allowed EXPLAIN, taken apart so the plan can be made for the checked query alone: its options
/// respelled from the parse tree (only known ones, with plain values) and the text of the SELECT it
/// explains, as the parser delimited it.
public struct ExplainRequest: Sendable, Equatable {
    /// The options as EXPLAIN's parenthesised list takes them, e.g. `VERBOSE true, FORMAT json`; empty for none.
    public let options: String
    /// The explained SELECT's text.
    public let query: String

    /// The options EXPLAIN may take here, and the values each accepts (nil: a boolean).
    private static let knownOptions: [String: Set<String>?] = [
        "analyze": nil, "analyse": nil, "verbose": nil, "costs": nil, "settings": nil, "buffers": nil, "wal": nil,
        "timing": nil, "summary": nil, "generic_plan": nil, "format": ["text", "xml", "json", "yaml"],
    ]

    /// Reads an EXPLAIN statement's options and finds where its query starts in `statement`; nil when an
    /// option is unknown or the query cannot be delimited (the caller refuses the statement then).
    init?(explain: JSONValue, statement: String) {
        var options: [String] = []
        for option in explain["options"]?.arrayValue ?? [] {
            guard let definition = option["DefElem"], let name = definition["defname"]?.stringValue?.lowercased(),
                  let accepted = Self.knownOptions[name] else { return nil }
            let argument = definition["arg"]
            let value: String
            if let accepted {
                guard let text = argument?["String"]?["sval"]?.stringValue?.lowercased(), accepted.contains(text) else { return nil }
                value = text
            } else if argument == nil {
                value = "true"
            } else if let integer = argument?["Integer"] {
                value = (integer["ival"]?.intValue ?? 0) == 0 ? "false" : "true"
            } else if let text = argument?["String"]?["sval"]?.stringValue?.lowercased(),
                      let flag = ["true": "true", "on": "true", "false": "false", "off": "false"][text] {
                value = flag
            } else {
                return nil
            }
            options.append("\(name.uppercased()) \(value)")
        }
        guard let inner = explain["query"], let start = ExplainPrefix.queryStart(in: statement) else { return nil }
        let query = String(decoding: statement.utf8.dropFirst(start), as: UTF8.self)
        // The delimited text must be exactly the query the parser saw inside the EXPLAIN.
        guard let reparsed = try? PgQuery.parse(query), let statements = reparsed["stmts"]?.arrayValue,
              statements.count == 1, let alone = statements[0]["stmt"],
              Self.withoutLocations(alone) == Self.withoutLocations(inner) else { return nil }
        self.options = options.joined(separator: ", ")
        self.query = query
    }

    /// `value` with every `location` member removed (they count from the start of different texts).
    private static func withoutLocations(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var kept: [String: JSONValue] = [:]
            for (key, member) in members where key != "location" { kept[key] = withoutLocations(member) }
            return .object(kept)
        case .array(let elements):
            return .array(elements.map(withoutLocations))
        default:
            return value
        }
    }
}
