import JSON
import Store

/// Removes secrets from text and JSON before it is stored in the audit trail or written to a log.
///
/// Three shapes of password are replaced by `Redaction.mask`, wherever they appear in a string:
/// - the password of a URI's user information, `scheme://user:secret@host` → `scheme://user:[redacted]@host`
///   (up to the last `@` of the word, so a password holding `@` is hidden whole);
/// - a `key=value` pair whose key ends in `password` or `passwd` (libpq's `password=`, `sslpassword=`,
///   `PGPASSWORD=`, a URI's `?password=`), the value quoted or up to the next whitespace;
/// - SQL's `PASSWORD 'literal'` (`CREATE ROLE … PASSWORD '…'`).
///
/// It errs on the side of hiding too much: text that merely looks like one of these loses a little
/// more than it should. In JSON, members whose key names a password or secret are masked whole,
/// and strings longer than `maxValueCharacters` are cut.
public enum Redaction {
    /// What replaces a secret.
    public static let mask = "[redacted]"
    /// Strings longer than this many characters are cut to it, followed by `truncationMarker`.
    public static let maxValueCharacters = 2_000
    /// Appended to a cut string.
    public static let truncationMarker = "…[truncated]"

    /// `text` with every password it holds replaced by `mask` (not truncated).
    public static func text(_ text: String) -> String {
        var count = 0
        return passwords(text, mask: maskScalars, count: &count)
    }

    /// `text` with the three shapes of password replaced by `mask`, adding how many were to `count`.
    static func passwords(_ text: String, mask: [Unicode.Scalar], count: inout Int) -> String {
        // Fast path: most text holds none of the markers.
        let lowered = text.lowercased()
        guard lowered.contains("://") || lowered.contains("pass") else { return text }
        var result = Array(text.unicodeScalars)
        result = uriPasswords(result, mask: mask, count: &count)
        result = keyValuePasswords(result, mask: mask, count: &count)
        result = sqlPasswords(result, mask: mask, count: &count)
        var output = String.UnicodeScalarView()
        output.append(contentsOf: result)
        return String(output)
    }

    /// `value` with passwords removed from every string value, the value of every member whose key
    /// contains `password`, `passwd` or `secret` (any case) masked whole, and long strings truncated.
    /// Keys are kept as they are.
    public static func json(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let string):
            return .string(truncated(text(string)))
        case .array(let elements):
            return .array(elements.map(json))
        case .object(let members):
            var result: [String: JSONValue] = [:]
            for (key, member) in members {
                result[key] = isSecretKey(key) && member != .null ? .string(mask) : json(member)
            }
            return .object(result)
        case .null, .bool, .number:
            return value
        }
    }

    /// Tool arguments as the model wrote them, redacted: JSON is redacted value by value and
    /// re-serialized (keys sorted); anything else is treated as one string.
    public static func arguments(_ text: String) -> String {
        if let parsed = try? JSONValue.parse(text) {
            return json(parsed).serialized()
        }
        return truncated(self.text(text))
    }

    /// `text` cut to `maxValueCharacters` characters plus `truncationMarker` when longer.
    public static func truncated(_ text: String) -> String {
        guard text.utf8.count > maxValueCharacters, text.count > maxValueCharacters else { return text }
        return String(text.prefix(maxValueCharacters)) + truncationMarker
    }

    // MARK: Patterns

    private static let maskScalars = Array(mask.unicodeScalars)

    /// Whether a JSON member named `key` holds a secret.
    private static func isSecretKey(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return lowered.contains("password") || lowered.contains("passwd") || lowered.contains("secret")
    }

    /// Where a word ends: whitespace or a quote (connection strings inside SQL or prose are quoted).
    private static func endsWord(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar == "'" || scalar == "\"" || scalar == "`"
    }

    /// `scheme://user:password@host`: the password, between the first `:` of the user information
    /// and the last `@` of the word.
    private static func uriPasswords(_ scalars: [Unicode.Scalar], mask: [Unicode.Scalar],
                                     count: inout Int) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(scalars.count)
        var index = 0
        while index < scalars.count {
            guard index + 2 < scalars.count, scalars[index] == ":", scalars[index + 1] == "/", scalars[index + 2] == "/" else {
                output.append(scalars[index])
                index += 1
                continue
            }
            output.append(contentsOf: scalars[index...(index + 2)])
            let start = index + 3
            var end = start
            while end < scalars.count, !endsWord(scalars[end]) { end += 1 }
            // The user name runs to the first ':' unless the host part starts first.
            var colon: Int?
            var cursor = start
            while cursor < end {
                let scalar = scalars[cursor]
                if scalar == ":" { colon = cursor; break }
                if scalar == "/" || scalar == "@" || scalar == "?" || scalar == "#" { break }
                cursor += 1
            }
            if let colon, let at = scalars[(colon + 1)..<end].lastIndex(of: "@") {
                output.append(contentsOf: scalars[start...colon])
                output.append(contentsOf: mask)
                count += 1
                output.append(contentsOf: scalars[at..<end])
            } else {
                output.append(contentsOf: scalars[start..<end])
            }
            index = end
        }
        return output
    }

    /// `…password=value` and `…passwd=value` (any case): the value, quoted (`'…'` with `\'` or `''`
    /// escapes, or `"…"`) or up to the next whitespace.
    private static func keyValuePasswords(_ scalars: [Unicode.Scalar], mask: [Unicode.Scalar],
                                     count: inout Int) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(scalars.count)
        var index = 0
        while index < scalars.count {
            output.append(scalars[index])
            guard scalars[index] == "=", endsWithPasswordKey(scalars, before: index) else {
                index += 1
                continue
            }
            var valueStart = index + 1
            while valueStart < scalars.count, scalars[valueStart] == " " { valueStart += 1 }
            let valueEnd = endOfValue(scalars, from: valueStart)
            guard valueEnd > valueStart else {
                index += 1
                continue
            }
            output.append(contentsOf: scalars[(index + 1)..<valueStart])
            let quote = scalars[valueStart]
            if quote == "'" || quote == "\"" {
                output.append(quote)
                output.append(contentsOf: mask)
                count += 1
                if valueEnd - 1 > valueStart, scalars[valueEnd - 1] == quote { output.append(quote) }
            } else {
                output.append(contentsOf: mask)
                count += 1
            }
            index = valueEnd
        }
        return output
    }

    /// Whether the key just before `equals` (spaces allowed) ends in `password` or `passwd`.
    private static func endsWithPasswordKey(_ scalars: [Unicode.Scalar], before equals: Int) -> Bool {
        var end = equals
        while end > 0, scalars[end - 1] == " " { end -= 1 }
        for key in ["password", "passwd"] {
            let keyScalars = Array(key.unicodeScalars)
            guard end >= keyScalars.count else { continue }
            let candidate = scalars[(end - keyScalars.count)..<end]
            if zip(candidate, keyScalars).allSatisfy({ lowercase($0) == $1 }) { return true }
        }
        return false
    }

    /// SQL's `PASSWORD '…'` (any case, whitespace between): the literal's contents.
    private static func sqlPasswords(_ scalars: [Unicode.Scalar], mask: [Unicode.Scalar],
                                     count: inout Int) -> [Unicode.Scalar] {
        let keyword = Array("password".unicodeScalars)
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(scalars.count)
        var index = 0
        while index < scalars.count {
            let matches = index + keyword.count <= scalars.count
                && zip(scalars[index..<(index + keyword.count)], keyword).allSatisfy { lowercase($0) == $1 }
                && (index == 0 || !isIdentifierScalar(scalars[index - 1]))
            guard matches else {
                output.append(scalars[index])
                index += 1
                continue
            }
            var literal = index + keyword.count
            var sawSpace = false
            while literal < scalars.count, scalars[literal].properties.isWhitespace { literal += 1; sawSpace = true }
            output.append(contentsOf: scalars[index..<literal])
            guard sawSpace, literal < scalars.count, scalars[literal] == "'" else {
                index = literal
                continue
            }
            let end = endOfValue(scalars, from: literal)
            output.append("'")
            output.append(contentsOf: mask)
            count += 1
            if end - 1 > literal, scalars[end - 1] == "'" { output.append("'") }
            index = end
        }
        return output
    }

    /// The index just past a value starting at `start`: past its closing quote when quoted (an
    /// unterminated quote runs to the end), else at the next whitespace.
    private static func endOfValue(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        guard start < scalars.count else { return start }
        let quote = scalars[start]
        guard quote == "'" || quote == "\"" else {
            var end = start
            while end < scalars.count, !scalars[end].properties.isWhitespace { end += 1 }
            return end
        }
        var cursor = start + 1
        while cursor < scalars.count {
            let scalar = scalars[cursor]
            if scalar == "\\", cursor + 1 < scalars.count {
                cursor += 2
                continue
            }
            if scalar == quote {
                // A doubled quote is an escaped quote inside the literal.
                if cursor + 1 < scalars.count, scalars[cursor + 1] == quote {
                    cursor += 2
                    continue
                }
                return cursor + 1
            }
            cursor += 1
        }
        return scalars.count
    }

    private static func lowercase(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar
    }

    private static func isIdentifierScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_"
    }
}
