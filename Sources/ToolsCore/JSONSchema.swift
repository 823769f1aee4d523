import JSON

/// Builders for strict-mode compatible JSON Schemas (what OpenAI's `strict: true` accepts).
public enum JSONSchema {
    /// One property of an object schema.
    public struct Property: Sendable {
        let name: String
        let schema: JSONValue
        let required: Bool

        /// A property; an optional one becomes nullable (`null` means absent).
        public init(_ name: String, _ schema: JSONValue, required: Bool = false) {
            self.name = name
            self.schema = schema
            self.required = required
        }
    }

    /// An object with exactly these properties. Strict mode needs every property in `required`,
    /// so optional ones are listed too, with `null` added to their type.
    public static func object(_ properties: [Property], description: String? = nil) -> JSONValue {
        var members: [String: JSONValue] = [:]
        for property in properties {
            members[property.name] = property.required ? property.schema : nullable(property.schema)
        }
        var schema: [String: JSONValue] = [
            "type": .string("object"),
            "properties": .object(members),
            "required": .array(properties.map { .string($0.name) }),
            "additionalProperties": .bool(false),
        ]
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }

    /// A string, with a description.
    public static func string(_ description: String) -> JSONValue {
        .object(["type": .string("string"), "description": .string(description)])
    }

    /// An integer, with a description.
    public static func integer(_ description: String) -> JSONValue {
        .object(["type": .string("integer"), "description": .string(description)])
    }

    /// A boolean, with a description.
    public static func boolean(_ description: String) -> JSONValue {
        .object(["type": .string("boolean"), "description": .string(description)])
    }

    /// An array of `items`, with a description.
    public static func array(_ items: JSONValue, _ description: String) -> JSONValue {
        .object(["type": .string("array"), "items": items, "description": .string(description)])
    }

    /// `schema` with `null` added to its type.
    static func nullable(_ schema: JSONValue) -> JSONValue {
        guard var object = schema.objectValue else { return schema }
        switch object["type"] {
        case .string(let type)?: object["type"] = .array([.string(type), .string("null")])
        case .array(let types)? where !types.contains(.string("null")): object["type"] = .array(types + [.string("null")])
        default: break
        }
        return .object(object)
    }
}
