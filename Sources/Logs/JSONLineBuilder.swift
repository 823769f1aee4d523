import Logging

/// Builds one log line, a JSON object followed by a newline, directly as UTF-8 bytes: a small writer
/// instead of an encoder per line, since it runs on the request path.
///
/// Strings are escaped as JSON requires (quotes, backslashes, every control character, so a newline in
/// a message never splits the line). Swift strings are valid Unicode, so the bytes are valid UTF-8.
struct JSONLineBuilder {
    private(set) var bytes: [UInt8] = []
    private var needsComma = false

    /// Starts an object; `capacity` is a guess of the line's length in bytes.
    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    /// Writes `"name":` (with the comma before it when needed); a value must follow.
    mutating func key(_ name: String) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
        appendString(name)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Writes a member whose value is a string.
    mutating func member(_ name: String, string value: String) {
        key(name)
        appendString(value)
    }

    /// Writes a member whose value is a whole number.
    mutating func member(_ name: String, integer value: Int) {
        key(name)
        appendInteger(value)
    }

    /// Writes a member whose value is logging metadata (see `appendValue`).
    mutating func member(_ name: String, _ value: Logger.MetadataValue) {
        key(name)
        appendValue(value)
    }

    /// Writes a member whose value is a timestamp string (`LogTimestamp`).
    mutating func member(_ name: String, timestamp: LogTimestamp) {
        key(name)
        bytes.append(UInt8(ascii: "\""))
        timestamp.append(to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Closes the object and ends the line; returns the finished bytes.
    mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// Metadata as JSON: strings as strings; a `stringConvertible` Bool, integer or finite floating-point
    /// number as a JSON literal (`Logger.MetadataValue.null` as `null`), anything else as its description;
    /// dictionaries as objects (keys sorted) and arrays as arrays.
    mutating func appendValue(_ value: Logger.MetadataValue) {
        switch value {
        case .string(let text):
            appendString(text)
        case .stringConvertible(let convertible):
            appendConvertible(convertible)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                appendValue(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .dictionary(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, name) in members.keys.sorted().enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                appendString(name)
                bytes.append(UInt8(ascii: ":"))
                appendValue(members[name]!)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private mutating func appendConvertible(_ value: any CustomStringConvertible & Sendable) {
        switch value {
        case is LogNull:
            bytes.append(contentsOf: "null".utf8)
        case let flag as Bool:
            bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        case let number as Int:
            appendInteger(number)
        case let number as any BinaryInteger:
            bytes.append(contentsOf: String(describing: number).utf8)
        case let number as Double where number.isFinite:
            bytes.append(contentsOf: String(describing: number).utf8)
        case let number as Float where number.isFinite:
            bytes.append(contentsOf: String(describing: number).utf8)
        default:
            appendString(value.description)
        }
    }

    /// Decimal digits without building a String.
    mutating func appendInteger(_ value: Int) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        let first = bytes.count
        var magnitude = value.magnitude
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[first...].reverse()
    }

    /// `text` as a quoted JSON string. Runs of bytes that need no escape are copied at once.
    mutating func appendString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                appendEscaped(byte)
                runStart = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// One byte that JSON does not allow as it is in a string.
    private mutating func appendEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): appendEscape(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): appendEscape(UInt8(ascii: "\\"))
        case 0x0A: appendEscape(UInt8(ascii: "n"))
        case 0x0D: appendEscape(UInt8(ascii: "r"))
        case 0x09: appendEscape(UInt8(ascii: "t"))
        case 0x08: appendEscape(UInt8(ascii: "b"))
        case 0x0C: appendEscape(UInt8(ascii: "f"))
        default:
            bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                      Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 0x0F)]])
        }
    }

    private mutating func appendEscape(_ letter: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(letter)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
