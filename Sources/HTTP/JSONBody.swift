/// A request body that must be a JSON object, with typed accessors that fail with the
/// precise `APIError` a client needs (which field, what was expected).
public struct JSONBody: Sendable {
    /// The object's fields.
    public let fields: [String: JSONValue]

    /// Wraps an already-parsed object.
    public init(fields: [String: JSONValue]) { self.fields = fields }

    /// Parses `request`'s body: 415 when it is not declared as JSON, 400 when it is not a JSON object.
    /// An empty body gives an empty object when `emptyAllowed`, otherwise a 400.
    public init(request: HTTPRequest, emptyAllowed: Bool = false) throws(APIError) {
        let isBlank = request.body.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        if isBlank {
            guard emptyAllowed else { throw APIError.invalidJSON("The request body is empty; send a JSON object.") }
            fields = [:]
            return
        }
        guard let type = request.mediaType, type == "application/json" || type.hasSuffix("+json") else {
            throw APIError.unsupportedMediaType(request.mediaType)
        }
        let value: JSONValue
        do {
            value = try JSONCoding.decode(JSONValue.self, from: request.body)
        } catch let failure as JSONPreflight.Failure {
            throw APIError.invalidJSON("The request body is not acceptable JSON: \(failure.message).")
        } catch {
            throw APIError.invalidJSON("The request body is not valid JSON.")
        }
        guard case .object(let object) = value else {
            throw APIError.invalidJSON("The request body must be a JSON object, not \(value.typeDescription).")
        }
        fields = object
    }

    /// Rejects fields outside `allowed` (400 `unknown_field`), naming them.
    public func rejectUnknownFields(allowed: [String]) throws(APIError) {
        let unknown = fields.keys.filter { !allowed.contains($0) }
        if !unknown.isEmpty { throw APIError.unknownFields(unknown, allowed: allowed) }
    }

    /// A required non-empty string of at most `maxLength` characters.
    public func requiredString(_ name: String, maxLength: Int = 256) throws(APIError) -> String {
        guard let value = try optionalString(name, maxLength: maxLength) else { throw APIError.missingField(name) }
        return value
    }

    /// An optional string: nil when absent or null; 400 when present but not a non-empty string
    /// of at most `maxLength` characters.
    public func optionalString(_ name: String, maxLength: Int = 256) throws(APIError) -> String? {
        switch fields[name] {
        case nil, .null?:
            return nil
        case .string(let value)?:
            if value.trimmingASCIIWhitespace().isEmpty {
                throw APIError.invalidField(name, "must not be empty")
            }
            if value.count > maxLength {
                throw APIError.invalidField(name, "must be at most \(maxLength) characters long")
            }
            return value
        case let other?:
            throw APIError.invalidField(name, "must be a string, not \(other.typeDescription)")
        }
    }

    /// An optional boolean: nil when absent or null; 400 when present but not a boolean.
    public func optionalBool(_ name: String) throws(APIError) -> Bool? {
        switch fields[name] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        case let other?: throw APIError.invalidField(name, "must be true or false, not \(other.typeDescription)")
        }
    }

    /// Whether `name` is present with a non-null value.
    public func has(_ name: String) -> Bool {
        switch fields[name] {
        case nil, .null?: false
        default: true
        }
    }
}
