internal import FoundationEssentials
import JSON
import Postgres

extension PostgresValue {
    /// The value as JSON: integers beyond ±2^53 and numerics as exact strings, json as JSON,
    /// bytea as base64, timestamps as ISO 8601 strings.
    package var json: JSONValue {
        switch self {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .integer(let number):
            return abs(number) <= 9_007_199_254_740_992 ? .number(Double(number)) : .string(String(number))
        case .double(let number): return .number(number)
        case .numeric(let text), .timestamp(let text), .text(let text): return .string(text)
        case .json(let text): return (try? JSONValue.parse(text)) ?? .string(text)
        case .bytes(let bytes): return .string(Data(bytes).base64EncodedString())
        case .array(let elements): return .array(elements.map(\.json))
        }
    }
}
