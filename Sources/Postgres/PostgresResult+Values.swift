extension PostgresResult {
    /// The value in `row`, `column` (0-based) decoded by the column's type OID.
    /// Timestamps come out in ISO 8601 when the session's DateStyle is ISO (the default).
    public func value(_ row: Int, _ column: Int) -> PostgresValue {
        guard let text = rows[row][column] else { return .null }
        return PostgresTypes.decode(text, typeOID: columns[column].typeOID)
    }
}

/// Decoding of PostgreSQL's text output format by type OID.
enum PostgresTypes {
    /// Array type OID → element type OID, for the built-in types a query commonly returns.
    static let arrayElements: [UInt32: UInt32] = [
        1000: 16, 1005: 21, 1007: 23, 1016: 20, 1028: 26, 1021: 700, 1022: 701, 1231: 1700,
        199: 114, 3807: 3802, 1001: 17, 1115: 1114, 1185: 1184, 1182: 1082, 1183: 1083,
        1009: 25, 1015: 1043, 1014: 1042, 1003: 19, 2951: 2950, 1041: 869,
    ]

    static func decode(_ text: String, typeOID: UInt32) -> PostgresValue {
        switch typeOID {
        case 16: return .bool(text == "t")
        case 20, 21, 23, 26: return Int64(text).map(PostgresValue.integer) ?? .text(text)
        case 700, 701:
            if let number = Double(text), number.isFinite { return .double(number) }
            return .text(text)
        case 1700: return .numeric(text)
        case 114, 3802: return .json(text)
        case 17: return decodeBytea(text).map(PostgresValue.bytes) ?? .text(text)
        case 1114, 1184: return .timestamp(isoTimestamp(text))
        case 1082: return .timestamp(text)
        default:
            if let element = arrayElements[typeOID] {
                return ArrayLiteral.parse(text).map { .array($0.map { $0.map { decode($0, typeOID: element) } ?? .null }) }
                    ?? .text(text)
            }
            return .text(text)
        }
    }

    /// `2024-05-01 12:00:00.5+02` → `2024-05-01T12:00:00.5+02:00`; `+00` becomes `Z`.
    static func isoTimestamp(_ text: String) -> String {
        guard text.count >= 19, !text.hasPrefix("infinity"), !text.hasPrefix("-infinity") else { return text }
        var value = text
        if let space = value.firstIndex(of: " ") { value.replaceSubrange(space...space, with: "T") }
        // A zone offset after the time: +HH, +HH:MM or +HH:MM:SS.
        if let sign = value.lastIndex(where: { $0 == "+" || $0 == "-" }), value.distance(from: value.startIndex, to: sign) > 10 {
            let offset = value[value.index(after: sign)...]
            if offset == "00" { return String(value[..<sign]) + "Z" }
            if offset.count == 2 { return value + ":00" }
        }
        return value
    }

    /// bytea's hex output (`\x0102ff`), the server default since PostgreSQL 9.0.
    static func decodeBytea(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count >= 2, digits[0] == UInt8(ascii: "\\"), digits[1] == UInt8(ascii: "x"), digits.count % 2 == 0 else {
            return nil
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((digits.count - 2) / 2)
        var index = 2
        while index < digits.count {
            guard let high = hex(digits[index]), let low = hex(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hex(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
