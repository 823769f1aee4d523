/// Finds where the query of an EXPLAIN statement starts: past `EXPLAIN`, then either its parenthesised
/// option list or the old-style keywords `ANALYZE`/`ANALYSE`/`VERBOSE`, skipping white space and comments
/// (`--`, nested `/* */`) and, inside the list, quoted strings and identifiers. `ExplainRequest` checks the
/// answer by parsing the rest again.
enum ExplainPrefix {
    /// The byte offset of the query in `statement`, or nil when the text does not look like an EXPLAIN.
    static func queryStart(in statement: String) -> Int? {
        let bytes = Array(statement.utf8)
        var index = skipSpace(bytes, 0)
        guard let afterKeyword = word(bytes, index, "explain") else { return nil }
        index = skipSpace(bytes, afterKeyword)
        if index < bytes.count && bytes[index] == UInt8(ascii: "(") {
            guard let close = closingParenthesis(bytes, index) else { return nil }
            return skipSpace(bytes, close + 1)
        }
        while true {
            if let next = word(bytes, index, "analyze") ?? word(bytes, index, "analyse") ?? word(bytes, index, "verbose") {
                index = skipSpace(bytes, next)
            } else {
                return index
            }
        }
    }

    /// The index past `keyword` (any letter case) at `index`, when a whole word is there.
    private static func word(_ bytes: [UInt8], _ index: Int, _ keyword: String) -> Int? {
        let key = Array(keyword.utf8)
        guard index + key.count <= bytes.count else { return nil }
        for offset in key.indices where bytes[index + offset] | 0x20 != key[offset] { return nil }
        let end = index + key.count
        if end < bytes.count && isIdentifierByte(bytes[end]) { return nil }
        return end
    }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        byte >= 0x80 || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$")
            || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// Past white space and comments from `index`.
    private static func skipSpace(_ bytes: [UInt8], _ start: Int) -> Int {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) {
                index += 1
            } else if byte == UInt8(ascii: "-"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "-") {
                while index < bytes.count && bytes[index] != 0x0A { index += 1 }
            } else if byte == UInt8(ascii: "/"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "*") {
                var depth = 0
                repeat {
                    if index + 1 < bytes.count && bytes[index] == UInt8(ascii: "/") && bytes[index + 1] == UInt8(ascii: "*") {
                        depth += 1
                        index += 2
                    } else if index + 1 < bytes.count && bytes[index] == UInt8(ascii: "*") && bytes[index + 1] == UInt8(ascii: "/") {
                        depth -= 1
                        index += 2
                    } else {
                        index += 1
                    }
                } while depth > 0 && index < bytes.count
            } else {
                break
            }
        }
        return index
    }

    /// The index of the `)` closing the `(` at `open`, past strings, quoted identifiers and comments; nil
    /// for anything this reader does not follow (dollar quotes, escape strings), which ends in a refusal.
    private static func closingParenthesis(_ bytes: [UInt8], _ open: Int) -> Int? {
        var index = open + 1
        while index < bytes.count {
            index = skipSpace(bytes, index)
            guard index < bytes.count else { return nil }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: ")"):
                return index
            case UInt8(ascii: "("), UInt8(ascii: "$"):
                return nil
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                if byte == UInt8(ascii: "'"), index > 0, bytes[index - 1] | 0x20 == UInt8(ascii: "e") { return nil }
                index += 1
                while true {
                    guard index < bytes.count else { return nil }
                    if bytes[index] == byte {
                        if index + 1 < bytes.count && bytes[index + 1] == byte { index += 2; continue }
                        index += 1
                        break
                    }
                    index += 1
                }
            default:
                index += 1
            }
        }
        return nil
    }
}
