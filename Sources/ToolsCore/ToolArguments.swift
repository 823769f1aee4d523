internal import FoundationEssentials
import JSON

/// Decodes a tool's JSON arguments into its Codable arguments type, with errors that name the field.
public enum ToolArguments {
    /// Decodes `arguments` into `type`. Fails with `invalid_arguments` when they are not an object,
    /// hold a name the schema does not know (a misspelling), or a field is missing or of the wrong
    /// type. `null` counts as absent for optional fields (strict schemas make them nullable).
    public static func decode<T: Decodable>(_ type: T.Type, from arguments: JSONValue,
                                            schema: JSONValue) throws(ToolError) -> T {
        guard let object = arguments.objectValue else {
            throw ToolError(.invalidArguments, "The arguments must be a JSON object, not \(arguments.typeDescription).")
        }
        let known = Set(schema["properties"]?.objectValue?.keys.map { $0 } ?? [])
        let unknown = object.keys.filter { !known.contains($0) }.sorted()
        if !unknown.isEmpty {
            let names = unknown.map { "'\($0)'" }.joined(separator: ", ")
            let allowed = known.sorted().map { "'\($0)'" }.joined(separator: ", ")
            throw ToolError(.invalidArguments, "Unknown argument \(names); this tool takes \(allowed).")
        }
        do {
            return try JSONDecoder().decode(type, from: Data(arguments.serializedBytes()))
        } catch let error as DecodingError {
            throw ToolError(.invalidArguments, describe(error))
        } catch {
            throw ToolError(.invalidArguments, "The arguments could not be read.")
        }
    }

    /// Parses the model's arguments string (it should be a JSON object) and decodes it.
    public static func parse(_ text: String) throws(ToolError) -> JSONValue {
        do {
            return try JSONValue.parse(text.isEmpty ? "{}" : text)
        } catch {
            throw ToolError(.invalidArguments, "The arguments are not valid JSON.")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop(while: { $0 == "." }).description
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return "The argument '\(field)' is required."
        case .typeMismatch(let expected, let context), .valueNotFound(let expected, let context):
            return "The argument '\(path(context.codingPath))' must be \(name(of: expected))."
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            return field.isEmpty ? "The arguments are malformed." : "The argument '\(field)' is invalid: \(context.debugDescription)"
        @unknown default:
            return "The arguments could not be read."
        }
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int64.Type, is Int32.Type: "a whole number"
        case is Double.Type: "a number"
        default: String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
