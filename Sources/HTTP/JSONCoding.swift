internal import FoundationEssentials

/// The JSON encoder and decoder settings used at the HTTP edge.
public enum JSONCoding {
    /// Encodes `value` as compact UTF-8 JSON without escaping slashes.
    public static func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return Array(try encoder.encode(value))
    }

    /// Decodes `Value` from UTF-8 JSON bytes that pass `JSONPreflight` (untrusted text never reaches the
    /// decoder unchecked).
    public static func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws -> Value {
        try JSONPreflight.check(bytes)
        return try JSONDecoder().decode(type, from: Data(bytes))
    }
}
