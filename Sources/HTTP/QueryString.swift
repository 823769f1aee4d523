/// Parses `application/x-www-form-urlencoded` query strings (`a=1&b=x%20y`).
public enum QueryString {
    /// The parameters of `query`, percent-decoded with `+` as space; the first value of a repeated name wins.
    /// Malformed escapes are kept literally rather than rejected.
    public static func parse(_ query: String) -> [String: String] {
        var result: [String: String] = [:]
        var query = query
        // Split on the bytes `&` and `=` (every request has a query string to parse).
        query.withUTF8 { bytes in
            var start = 0
            while start < bytes.count {
                let end = bytes[start...].firstIndex(of: UInt8(ascii: "&")) ?? bytes.count
                if end > start {
                    let pair = UnsafeBufferPointer(rebasing: bytes[start..<end])
                    let equals = pair.firstIndex(of: UInt8(ascii: "="))
                    let name = decode(UnsafeBufferPointer(rebasing: pair[..<(equals ?? pair.count)]))
                    let value = equals.map { decode(UnsafeBufferPointer(rebasing: pair[($0 + 1)...])) } ?? ""
                    if result[name] == nil { result[name] = value }
                }
                start = end + 1
            }
        }
        return result
    }

    /// Decodes `%XX` escapes and `+` in one component; invalid UTF-8 is repaired with U+FFFD.
    public static func decode<S: StringProtocol>(_ component: S) -> String {
        var text = String(component)
        return text.withUTF8 { decode($0) }
    }

    private static func decode(_ utf8: UnsafeBufferPointer<UInt8>) -> String {
        guard utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else {
            return String(decoding: utf8, as: UTF8.self)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index + 2 < utf8.count,
                      let high = hexValue(utf8[index + 1]), let low = hexValue(utf8[index + 2]) {
                bytes.append(high << 4 | low)
                index += 2
            } else {
                bytes.append(byte)
            }
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
