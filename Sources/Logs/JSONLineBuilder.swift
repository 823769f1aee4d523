import JSON
import Logging

/// Builds one log line, a JSON object followed by a newline, directly as UTF-8 bytes with `JSONWriter`
/// (no encoder per line: it runs on the request path).
///
/// Strings are escaped as JSON requires (quotes, backslashes, every control character), so a newline in a
/// message never splits the line. Swift strings are valid Unicode, so the bytes are valid UTF-8.
struct JSONLineBuilder {
    private var writer: JSONWriter

    /// Starts an object; `capacity` is a guess of the line's length in bytes.
    init(capacity: Int = 256) {
        writer = JSONWriter(capacity: capacity)
        writer.beginObject()
    }

    /// Writes a member whose value is a string.
    mutating func member(_ name: String, string value: String) {
        writer.key(name)
        writer.string(value)
    }

    /// Writes a member whose value is a whole number.
    mutating func member(_ name: String, integer value: Int) {
        writer.key(name)
        writer.integer(value)
    }

    /// Writes a member whose value is logging metadata (see `appendValue`).
    mutating func member(_ name: String, _ value: Logger.MetadataValue) {
        writer.key(name)
        appendValue(value)
    }

    /// Writes a member whose value is a timestamp string (`LogTimestamp`).
    mutating func member(_ name: String, timestamp: LogTimestamp) {
        writer.key(name)
        var text: [UInt8] = [UInt8(ascii: "\"")]
        timestamp.append(to: &text)
        text.append(UInt8(ascii: "\""))
        writer.raw(text)
    }

    /// Closes the object and ends the line; returns the finished bytes.
    mutating func finish() -> [UInt8] {
        writer.endObject()
        writer.raw(CollectionOfOne(UInt8(ascii: "\n")))
        return writer.bytes
    }

    /// Metadata as JSON: strings as strings; a `stringConvertible` Bool, integer or finite floating-point
    /// number as a JSON literal (`Logger.MetadataValue.null` as `null`), anything else as its description;
    /// dictionaries as objects (keys sorted) and arrays as arrays.
    private mutating func appendValue(_ value: Logger.MetadataValue) {
        switch value {
        case .string(let text):
            writer.string(text)
        case .stringConvertible(let convertible):
            appendConvertible(convertible)
        case .array(let elements):
            writer.beginArray()
            for element in elements {
                writer.element()
                appendValue(element)
            }
            writer.endArray()
        case .dictionary(let members):
            writer.beginObject()
            for name in members.keys.sorted() {
                writer.key(name)
                appendValue(members[name]!)
            }
            writer.endObject()
        }
    }

    private mutating func appendConvertible(_ value: any CustomStringConvertible & Sendable) {
        switch value {
        case is LogNull:
            writer.null()
        case let flag as Bool:
            writer.bool(flag)
        case let number as any BinaryInteger:
            writer.integer(number)
        case let number as Double where number.isFinite:
            writer.raw(String(describing: number).utf8)
        case let number as Float where number.isFinite:
            writer.raw(String(describing: number).utf8)
        default:
            writer.string(value.description)
        }
    }
}
