import JSON
import ToolsCore

/// A column default `create_table` accepts: a plain value, quoted by the server and checked against
/// the column type, or one of a few well-known expressions written as this code spells them.
/// Any other SQL expression is refused: a default is evaluated on every insert, so it is code.
enum ColumnDefault: Equatable {
    /// A value in its text form, e.g. `active`, `0`, `{}`.
    case literal(String)
    /// `true` or `false`.
    case boolean(Bool)
    /// SQL text from `expressions`, never the model's own.
    case expression(String)

    /// Allowed expressions, keyed by their spelling in lower case without spaces (and without outer parentheses).
    static let expressions: [String: String] = [
        "now()": "now()",
        "current_timestamp": "CURRENT_TIMESTAMP",
        "current_date": "CURRENT_DATE",
        "current_time": "CURRENT_TIME",
        "localtimestamp": "LOCALTIMESTAMP",
        "localtime": "LOCALTIME",
        "transaction_timestamp()": "transaction_timestamp()",
        "statement_timestamp()": "statement_timestamp()",
        "clock_timestamp()": "clock_timestamp()",
        "timezone('utc',now())": "timezone('utc'::text, now())",
        "timezone('utc'::text,now())": "timezone('utc'::text, now())",
        "now()attimezone'utc'": "timezone('utc'::text, now())",
        "gen_random_uuid()": "gen_random_uuid()",
        "auth.uid()": "auth.uid()",
    ]

    /// The allowed expressions as the model should write them, for messages.
    static let allowedList = "now(), current_timestamp, current_date, current_time, localtimestamp, gen_random_uuid(), auth.uid()"

    /// Reads the model's `default` for `column`; nil when there is none. Fails with `invalid_arguments`
    /// for an SQL expression not on the list.
    static func parse(_ value: JSONValue?, column: String) throws(ToolError) -> ColumnDefault? {
        switch value {
        case nil, .null?:
            return nil
        case .bool(let flag)?:
            return .boolean(flag)
        case .number(let number)?:
            if number.rounded() == number, abs(number) < 1e15 { return .literal(String(Int64(number))) }
            return .literal(String(number))
        case .string(let text)?:
            return try parse(text, column: column)
        case let other?:
            throw ToolError(.invalidArguments, "Column '\(column)': the default must be a string, number or boolean, not \(other.typeDescription).")
        }
    }

    private static func parse(_ text: String, column: String) throws(ToolError) -> ColumnDefault {
        var key = String(text.lowercased().filter { !$0.isWhitespace })
        while key.hasPrefix("("), key.hasSuffix(")"), key.count > 2 { key = String(key.dropFirst().dropLast()) }
        if let expression = expressions[key] { return .expression(expression) }
        // A value the model wrapped in SQL quotes ('active') means the value inside.
        if text.count >= 2, text.hasPrefix("'"), text.hasSuffix("'") {
            let inner = String(text.dropFirst().dropLast())
            if let value = unquoted(inner) { return .literal(value) }
        }
        // Plain values rarely hold these; SQL the model meant as an expression nearly always does.
        let looksLikeCode = (key.contains("(") && key.contains(")")) || key.contains("::") || key.contains(";")
            || key.contains("--") || key.contains("/*")
        if looksLikeCode {
            throw ToolError(.invalidArguments, """
                Column '\(column)': the default '\(text)' is an SQL expression, which is not allowed. Use a plain value \
                (string, number, boolean) or one of \(allowedList); for an auto-incrementing key use the type bigserial.
                """)
        }
        return .literal(text)
    }

    /// The text inside SQL quotes with doubled quotes undone; nil when a lone quote shows it was not one literal.
    private static func unquoted(_ inner: String) -> String? {
        var value = ""
        var characters = inner.makeIterator()
        while let character = characters.next() {
            if character == "'" {
                guard characters.next() == "'" else { return nil }
            }
            value.append(character)
        }
        return value
    }
}
