import JSON
import Logging
import Logs
import Store

extension Logger.MetadataValue {
    /// `json` as log metadata that a JSON log line writes back as the same JSON: objects as dictionaries,
    /// arrays as arrays, whole numbers as integers, other numbers as doubles, booleans and `null` as themselves.
    init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let flag): self = .stringConvertible(flag)
        case .number(let number):
            if let whole = json.intValue { self = .stringConvertible(whole) } else { self = .stringConvertible(number) }
        case .string(let text): self = .string(text)
        case .array(let elements): self = .array(elements.map(Logger.MetadataValue.init))
        case .object(let members): self = .dictionary(members.mapValues(Logger.MetadataValue.init))
        }
    }
}
