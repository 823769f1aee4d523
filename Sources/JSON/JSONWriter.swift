/// Writes compact JSON straight into bytes, byte for byte as `JSONEncoder` writes the same values (no
/// whitespace, `/` not escaped, the same string escapes), without an encoder's cost: for small answers on
/// hot paths (`GET /thread`) and for log lines.
///
/// The caller writes keys in the order it wants (for `JSONCoding.encode`'s output: sorted by their UTF-8
/// bytes, nil optionals left out); a test per use compares the result with the encoder's.
public struct JSONWriter {
    /// The JSON written so far.
    public private(set) var bytes: [UInt8]
    private var needsComma = false

    /// Starts with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Opens an object: `{`.
    public mutating func beginObject() {
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    /// Closes the innermost open object: `}`.
    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    /// Opens an array: `[`; write each element after `element()`.
    public mutating func beginArray() {
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    /// Closes the innermost open array: `]`.
    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Starts the next element of an array: a comma unless it is the first.
    public mutating func element() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        needsComma = true
    }

    /// Appends `raw` as it is: bytes the caller knows to be valid JSON in this place.
    public mutating func raw(_ raw: some Sequence<UInt8>) {
        bytes.append(contentsOf: raw)
    }

    /// Writes `"name":`, preceded by a comma when the object already has a member.
    public mutating func key(_ name: String) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        string(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = true
    }

    /// Writes `text` as a JSON string.
    public mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            bytes.append(UInt8(ascii: "\""))
            var plainStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainStart..<index]))
                    appendEscape(byte)
                    plainStart = index + 1
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainStart...]))
            bytes.append(UInt8(ascii: "\""))
        }
    }

    /// Writes `number` in decimal.
    public mutating func integer<Number: BinaryInteger>(_ number: Number) {
        guard let small = Int(exactly: number) else {
            bytes.append(contentsOf: String(number).utf8)
            return
        }
        if small < 0 { bytes.append(UInt8(ascii: "-")) }
        let first = bytes.count
        var magnitude = small.magnitude
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[first...].reverse()
    }

    /// Writes `true` or `false`.
    public mutating func bool(_ value: Bool) {
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// Writes `null`.
    public mutating func null() {
        bytes.append(contentsOf: "null".utf8)
    }

    /// The escape JSONEncoder writes for `byte` (a control character, `"` or `\`).
    private mutating func appendEscape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default:
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), Self.hexDigits[Int(byte >> 4)],
                                      Self.hexDigits[Int(byte & 0xF)]])
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}
