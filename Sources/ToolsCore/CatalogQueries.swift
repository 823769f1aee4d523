import JSON

/// SQL fragments and helpers shared by the catalog tools (`list_tables`, `get_schema`).
///
/// Names from the model always travel as parameters; the fragments here hold no user input.
package enum CatalogQueries {
    /// A condition true for schemas that are neither system schemas (`pg_catalog`, `information_schema`,
    /// `pg_toast`, temporary `pg_temp_N` and `pg_toast_temp_N`) nor in the `text[]` parameter
    /// `platformParameter` (e.g. `$4`), on the schema-name expression `column`.
    package static func userSchemaCondition(_ column: String, platformParameter: String) -> String {
        "(\(nonSystemSchemaCondition(column)) AND \(column) <> ALL (\(platformParameter)::text[]))"
    }

    /// A condition true for schemas that are not system schemas, on the schema-name expression `column`.
    static func nonSystemSchemaCondition(_ column: String) -> String {
        """
        (\(column) NOT IN ('pg_catalog', 'information_schema', 'pg_toast') \
        AND \(column) NOT LIKE 'pg\\_temp\\_%' AND \(column) NOT LIKE 'pg\\_toast\\_temp\\_%')
        """
    }

    /// The planner's row estimate for the relation `c` as a bigint, or NULL when unknown (never
    /// analyzed, or a view). A partitioned table that was never analyzed itself sums its partitions.
    package static let estimatedRows = """
        CASE WHEN c.relkind = 'v' THEN NULL
             WHEN c.reltuples >= 0 THEN c.reltuples::bigint
             WHEN c.relkind = 'p' THEN (SELECT pg_catalog.sum(ch.reltuples)::bigint
                                          FROM pg_catalog.pg_inherits i
                                          JOIN pg_catalog.pg_class ch ON ch.oid = i.inhrelid
                                         WHERE i.inhparent = c.oid AND ch.reltuples >= 0)
        END
        """

    /// `strings` as a PostgreSQL array literal (`{"a","b \"c\""}`), for a `text[]` parameter.
    package static func textArrayLiteral(_ strings: [String]) -> String {
        let elements = strings.map { string -> String in
            var quoted = "\""
            for character in string {
                if character == "\"" || character == "\\" { quoted.append("\\") }
                quoted.append(character)
            }
            return quoted + "\""
        }
        return "{" + elements.joined(separator: ",") + "}"
    }

    /// `value` without null members in any object, at any depth (absent means "none").
    package static func droppingNulls(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var kept: [String: JSONValue] = [:]
            for (key, member) in members where member != .null { kept[key] = droppingNulls(member) }
            return .object(kept)
        case .array(let elements):
            return .array(elements.map(droppingNulls))
        default:
            return value
        }
    }

    /// Parses JSON text the server built (json_agg, json_build_object); NULL or bad text → `fallback`.
    package static func parseJSON(_ text: String?, fallback: JSONValue = .null) -> JSONValue {
        guard let text, let value = try? JSONValue.parse(text) else { return fallback }
        return value
    }
}
