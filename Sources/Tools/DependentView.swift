import JSON

/// A view or materialized view that reads from a table being dropped (directly or through other
/// views), with what it takes to create it again.
struct DependentView: Equatable {
    let schema: String
    let name: String
    let isMaterialized: Bool
    /// `pg_get_viewdef` output, read with an empty `search_path` so every name is schema-qualified.
    let definition: String
    /// Its `reloptions`, e.g. `security_invoker=true`.
    let options: [String]

    /// What the user is shown: `{type, schema, name}`.
    var summary: JSONValue {
        .object(["type": .string(isMaterialized ? "materialized_view" : "view"), "schema": .string(schema), "name": .string(name)])
    }

    /// What the trash log keeps.
    var record: JSONValue {
        .object(["schema": .string(schema), "name": .string(name), "materialized": .bool(isMaterialized),
                 "definition": .string(definition), "options": .array(options.map(JSONValue.string))])
    }

    init(schema: String, name: String, isMaterialized: Bool, definition: String, options: [String]) {
        self.schema = schema
        self.name = name
        self.isMaterialized = isMaterialized
        self.definition = definition
        self.options = options
    }

    /// Reads a `record` back from the trash log.
    init?(record: JSONValue) {
        guard let schema = record["schema"]?.stringValue, let name = record["name"]?.stringValue,
              let definition = record["definition"]?.stringValue else { return nil }
        self.init(schema: schema, name: name, isMaterialized: record["materialized"]?.boolValue ?? false,
                  definition: definition, options: record["options"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }

    private var qualified: String { SQLIdentifier.quote(schema) + "." + SQLIdentifier.quote(name) }

    /// Drops just this view; anything else depending on it makes the statement fail.
    var dropStatement: String { "DROP \(isMaterialized ? "MATERIALIZED VIEW" : "VIEW") \(qualified)" }

    /// Creates it again from its definition (run with an empty `search_path`, as it was read).
    var createStatement: String {
        // Options come from the catalog; anything not shaped like `name=value` is left out rather than pasted.
        let safe = options.filter { option in
            let parts = option.split(separator: "=", maxSplits: 1)
            return parts.count == 2 && parts.allSatisfy { part in
                part.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == ".") }
            }
        }
        let with = safe.isEmpty ? "" : " WITH (\(safe.joined(separator: ", ")))"
        return "CREATE \(isMaterialized ? "MATERIALIZED VIEW" : "VIEW") \(qualified)\(with) AS \(definition)"
    }
}
