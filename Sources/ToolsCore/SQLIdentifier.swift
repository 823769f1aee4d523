/// PostgreSQL identifiers: validated and quoted, never pasted into SQL as given.
public enum SQLIdentifier {
    /// The longest identifier PostgreSQL keeps (NAMEDATALEN - 1), in bytes.
    public static let maxLength = 63

    /// `name` as a quoted identifier: `"my ""odd"" name"`.
    public static func quote(_ name: String) -> String {
        "\"" + name.replacingAll("\"", with: "\"\"") + "\""
    }

    /// Checks a name a tool will create: 1–63 bytes, letters, digits, `_` and `$`, not starting with a digit or `$`.
    /// Fails with `invalid_identifier` naming `field`.
    public static func validate(_ name: String, field: String) throws(ToolError) -> String {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= maxLength else {
            throw ToolError(.invalidIdentifier, "'\(field)' must be 1 to \(maxLength) bytes long.")
        }
        let valid = name.unicodeScalars.enumerated().allSatisfy { index, scalar in
            scalar == "_" || (scalar.properties.isAlphabetic && scalar.isASCII) || (index > 0 && (("0"..."9").contains(scalar) || scalar == "$"))
        }
        guard valid else {
            throw ToolError(.invalidIdentifier,
                            "'\(field)' may contain only ASCII letters, digits, '_' and '$', and must start with a letter or '_' (got \(quote(name))).")
        }
        return name
    }
}

extension String {
    package func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self { if character == target { result += replacement } else { result.append(character) } }
        return result
    }
}
