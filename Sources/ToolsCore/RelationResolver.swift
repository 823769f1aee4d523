import JSON
import Postgres

/// Finds the relation a `get_schema` call means: exact in the given schema, or searched across the
/// user's schemas; a miss comes back with the closest names, an ambiguous name with its schemas.
package enum RelationResolver {
    /// A relation found in the catalog.
    package struct Resolved {
        package let oid: String
        package let schema: String
        package let name: String
        package let kind: RelationKind
        /// Platform schemas that hold a relation of the same name, passed over for a user schema's.
        package let alsoIn: [String]
    }

    /// Resolves `table` (in `schema` when given). Without a schema, a name found in one user schema
    /// wins over platform schemas; found in several user schemas it is ambiguous (`invalid_arguments`).
    /// Not found → `relation_not_found` with up to five `closeMatches` ({schema, name}).
    package static func resolve(table: String, schema: String?, platformSchemas: [String],
                        on connection: PostgresConnection) throws(ToolError) -> Resolved {
        let platform = Set(platformSchemas)
        var found = try candidates(table: table, schema: schema, on: connection)
        if found.isEmpty, schema == nil, let dot = table.firstIndex(of: "."),
           dot != table.startIndex, table.index(after: dot) != table.endIndex {
            // A qualified name in `table` ("sales.orders") when no relation is literally called that.
            found = try candidates(table: String(table[table.index(after: dot)...]), schema: String(table[..<dot]),
                                   on: connection)
        }
        if found.count == 1 { return found[0] }
        if found.isEmpty {
            throw try notFound(table: table, schema: schema, on: connection)
        }
        let user = found.filter { !platform.contains($0.schema) }
        let chosen = user.isEmpty ? found : user
        if chosen.count == 1 {
            let only = chosen[0]
            return Resolved(oid: only.oid, schema: only.schema, name: only.name, kind: only.kind,
                            alsoIn: found.filter { $0.schema != only.schema }.map(\.schema))
        }
        let schemas = chosen.map(\.schema).sorted { ($0 == "public" ? 0 : 1, $0) < ($1 == "public" ? 0 : 1, $1) }
        throw ToolError(.invalidArguments,
                        "There is a relation named '\(table)' in several schemas (\(schemas.joined(separator: ", "))); pass 'schema' to say which.",
                        details: ["schemas": .array(schemas.map(JSONValue.string))])
    }

    private static func candidates(table: String, schema: String?,
                                   on connection: PostgresConnection) throws(ToolError) -> [Resolved] {
        let sql = """
            SELECT c.oid::text, n.nspname, c.relname, c.relkind::text
              FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relname = $1::name AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
               AND CASE WHEN $2::name IS NULL THEN \(CatalogQueries.nonSystemSchemaCondition("n.nspname"))
                        ELSE n.nspname = $2::name END
             ORDER BY n.nspname
            """
        let result: PostgresResult
        do {
            result = try connection.query(sql, [table, schema])
        } catch {
            throw ToolError.from(error)
        }
        return (0..<result.count).compactMap { row in
            guard let oid = result.string(row, 0), let schema = result.string(row, 1), let name = result.string(row, 2),
                  let kind = result.string(row, 3).flatMap(RelationKind.init(relkind:)) else { return nil }
            return Resolved(oid: oid, schema: schema, name: name, kind: kind, alsoIn: [])
        }
    }

    /// The `relation_not_found` error for a miss, naming the closest relations in the user's schemas
    /// (and in `schema`, when given).
    private static func notFound(table: String, schema: String?,
                                 on connection: PostgresConnection) throws(ToolError) -> ToolError {
        let sql = """
            SELECT n.nspname, c.relname,
                   ($1::name IS NULL OR EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1::name))
              FROM (SELECT 1) AS one
              LEFT JOIN (pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace)
                ON c.relkind IN ('r', 'p', 'v', 'm', 'f')
               AND (\(CatalogQueries.nonSystemSchemaCondition("n.nspname")) OR n.nspname = $1::name)
             LIMIT 100000
            """
        let result: PostgresResult
        do {
            result = try connection.query(sql, [schema])
        } catch {
            throw ToolError.from(error)
        }
        let schemaExists = result.count == 0 || result.bool(0, 2) != false
        let everything = (0..<result.count).compactMap { row -> CloseMatches.Candidate? in
            guard let schema = result.string(row, 0), let name = result.string(row, 1) else { return nil }
            return CloseMatches.Candidate(schema: schema, name: name)
        }
        let matches = CloseMatches.best(for: table, among: everything, preferredSchema: schema)
        var message: String
        if let schema, !schemaExists {
            message = "There is no schema named '\(schema)'."
        } else if let schema {
            message = "There is no table or view named '\(table)' in schema '\(schema)'."
        } else {
            message = "There is no table or view named '\(table)' in the user's schemas."
        }
        if matches.isEmpty {
            message += " Call list_tables to see what exists."
        } else {
            message += " Did you mean " + matches.map { "\($0.schema).\($0.name)" }.joined(separator: ", ") + "?"
        }
        return ToolError(.relationNotFound, message, details: [
            "closeMatches": .array(matches.map { .object(["schema": .string($0.schema), "name": .string($0.name)]) }),
        ])
    }
}
