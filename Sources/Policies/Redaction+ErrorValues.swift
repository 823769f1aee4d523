extension Redaction {
    /// What replaces a value hidden from an error text.
    public static let valueMask = "[redacted: value]"

    /// A PostgreSQL error text (message, then ` Detail: …` and ` Hint: …` as `ToolError` joins them) with the
    /// values it quotes hidden, and how many parts were:
    /// - a quoted value after `: ` or `value ` in the message (`invalid input syntax for type integer: "…"`,
    ///   `value "…" is out of range`), up to the message's last quote;
    /// - the values of a detail's `Key (columns)=(values)` and `Failing row contains (values)`, and its quoted
    ///   tokens (`Token "…" is invalid.`).
    /// Identifiers (`relation "t"`, `column "c"`) and hints are kept. A value that itself holds ` Detail: `
    /// can shift where the detail is taken to start; the text around it is then hidden all the same.
    public static func errorValues(_ text: String) -> Masked {
        var count = 0
        let (message, rest) = split(text, at: " Detail: ")
        var output = quotedValues(message, count: &count)
        if let rest {
            let (detail, hint) = split(rest, at: " Hint: ")
            output += " Detail: " + detailValues(detail, count: &count)
            if let hint { output += " Hint: " + hint }
        }
        return Masked(text: output, count: count)
    }

    private static func split(_ text: String, at marker: String) -> (String, String?) {
        guard let range = text.firstRange(of: marker) else { return (text, nil) }
        return (String(text[..<range.lowerBound]), String(text[range.upperBound...]))
    }

    /// `: "…"` and `value "…"`: from the quote to the last quote of `text`.
    private static func quotedValues(_ text: String, count: inout Int) -> String {
        let starts = [text.firstRange(of: ": \""), text.firstRange(of: "value \"")].compactMap { $0 }
        guard let first = starts.min(by: { $0.upperBound < $1.upperBound }),
              let last = text.lastIndex(of: "\""), last >= first.upperBound else { return text }
        count += 1
        return String(text[..<first.upperBound]) + valueMask + String(text[last...])
    }

    /// `)=(…)` and `contains (…)`: up to the detail's last `)`; else its quoted tokens as in a message.
    private static func detailValues(_ detail: String, count: inout Int) -> String {
        for opener in [")=(", "contains ("] {
            if let open = detail.firstRange(of: opener), let close = detail.lastIndex(of: ")"), close >= open.upperBound {
                count += 1
                return String(detail[..<open.upperBound]) + valueMask + String(detail[close...])
            }
        }
        guard let open = detail.firstIndex(of: "\""), let close = detail.lastIndex(of: "\""), close > open else { return detail }
        count += 1
        return String(detail[...open]) + valueMask + String(detail[close...])
    }
}
