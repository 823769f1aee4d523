/// Checks untrusted JSON text before it reaches Foundation's decoder, which must never see it raw:
/// nesting deeper than its limit of 512 crashes the process (an illegal instruction while it builds
/// the error), and deep nesting costs it time that grows steeply with depth. Also refuses what the
/// decoder would otherwise let through: text that is not UTF-8 (UTF-16 with or without a byte-order
/// mark), NUL bytes, and trailing commas.
public enum JSONPreflight {
    /// The deepest nesting of arrays and objects accepted. Request bodies, tool arguments and provider
    /// events are a few levels deep; JSON Schemas of tools about ten.
    public static let maxDepth = 64

    /// Why text was refused.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// A message for a person, naming the byte offset where it applies.
        public let message: String
        /// The message.
        public var description: String { message }
    }

    /// Throws when `bytes` is not UTF-8, holds a NUL byte or a trailing comma, or nests deeper than `maxDepth`.
    public static func check(_ bytes: [UInt8], maxDepth: Int = maxDepth) throws(Failure) {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw Failure(message: "the text is not valid UTF-8")
        }
        var depth = 0
        var inString = false
        var escaped = false
        var lastSignificant: UInt8 = 0
        for (offset, byte) in bytes.enumerated() {
            if byte == 0 { throw Failure(message: "a NUL byte at offset \(offset)") }
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    lastSignificant = byte
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > maxDepth { throw Failure(message: "nesting deeper than \(maxDepth) levels at offset \(offset)") }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if lastSignificant == UInt8(ascii: ",") { throw Failure(message: "a trailing comma before offset \(offset)") }
                depth -= 1
            case 0x20, 0x09, 0x0A, 0x0D:
                continue
            default:
                break
            }
            lastSignificant = byte
        }
    }
}
