/// Typed reads of configuration variables (normally the process environment), each failure a
/// `ConfigurationError` naming the variable. An empty value counts as unset.
public struct EnvironmentReader: Sendable {
    /// The variables, by name.
    public let variables: [String: String]
    /// Whether white space around a value is ignored (else they make a number invalid).
    public let trimsSpaces: Bool

    /// A reader of `variables`; `trimsSpaces` ignores white space around values.
    public init(_ variables: [String: String], trimsSpaces: Bool = false) {
        self.variables = variables
        self.trimsSpaces = trimsSpaces
    }

    /// The value of `name` (trimmed when `trimsSpaces`), or nil when it is unset or empty.
    public func string(_ name: String) -> String? {
        guard let raw = variables[name] else { return nil }
        let value = trimsSpaces ? Self.trimmed(raw) : raw
        return value.isEmpty ? nil : value
    }

    /// The whole number in `name`, or nil when unset; a value outside `range` or not a whole number is
    /// an error ("must be a whole number from A to B").
    public func integer(_ name: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(variable: name,
                                     message: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// The whole number in `name`, or `fallback` when unset; see `integer(_:in:)`.
    public func integer(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        try integer(name, in: range) ?? fallback
    }

    /// The whole number in `name`, or nil when unset; a value below `minimum` or not a whole number is an
    /// error ("must be an integer ≥ N").
    public func integer(_ name: String, atLeast minimum: Int) throws(ConfigurationError) -> Int? {
        guard let text = string(name) else { return nil }
        guard let value = Int(text), value >= minimum else {
            throw ConfigurationError(variable: name, message: "must be an integer ≥ \(minimum)")
        }
        return value
    }

    /// The switch in `name`: `1` or `true` is on, `0` or `false` off (any case, spaces ignored), unset is
    /// `fallback`; anything else is an error ("must be 1 or 0").
    public func boolean(_ name: String, default fallback: Bool) throws(ConfigurationError) -> Bool {
        switch variables[name].map({ Self.trimmed($0).lowercased() }) {
        case nil, "": return fallback
        case "1", "true": return true
        case "0", "false": return false
        default: throw ConfigurationError(variable: name, message: "must be 1 or 0")
        }
    }

    /// The comma-separated entries of `name`, each without surrounding white space, empty ones skipped;
    /// nil when unset (an empty value is an empty list).
    public func list(_ name: String) -> [String]? {
        variables[name].map { $0.split(separator: ",").map { Self.trimmed(String($0)) }.filter { !$0.isEmpty } }
    }

    /// `text` without leading and trailing white space (spaces, tabs, newlines, Unicode spaces).
    public static func trimmed(_ text: String) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }),
              let last = text.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(text[first...last])
    }
}
