import JSON
import Postgres
import ToolsCore

/// A view or materialized view that reads from a table being dropped (directly or through other
/// views), with what it takes to create it again: its definition, owner, grants and comments.
struct DependentView: Equatable {
    package let schema: String
    package let name: String
    let isMaterialized: Bool
    /// `pg_get_viewdef` output, read with an empty `search_path` so every name is schema-qualified.
    let definition: String
    /// Its `reloptions`, e.g. `security_invoker=true`.
    let options: [String]
    /// Who owned it; nil in logs written before owners were kept.
    var owner: String? = nil
    /// Its grants when it had explicit ones (`relacl` not null); nil keeps a new view's default privileges.
    var grants: [ViewGrant]? = nil
    /// Its comment, if any.
    var comment: String? = nil
    /// Comments on its columns: column name and comment, in column order.
    var columnComments: [ColumnComment] = []

    /// A column's comment.
    struct ColumnComment: Equatable {
        let column: String
        let comment: String

        /// Reads `[column, comment]`, as the catalog query and the trash log write it.
        init?(pair: JSONValue) {
            guard let items = pair.arrayValue, items.count == 2, let column = items[0].stringValue,
                  let comment = items[1].stringValue else { return nil }
            self.column = column
            self.comment = comment
        }
    }

    /// What the user is shown: `{type, schema, name}`.
    var summary: JSONValue {
        .object(["type": .string(isMaterialized ? "materialized_view" : "view"), "schema": .string(schema), "name": .string(name)])
    }

    /// What the trash log keeps.
    var record: JSONValue {
        var object: [String: JSONValue] = [
            "schema": .string(schema), "name": .string(name), "materialized": .bool(isMaterialized),
            "definition": .string(definition), "options": .array(options.map(JSONValue.string)),
            "columnComments": .array(columnComments.map { JSONValue.array([.string($0.column), .string($0.comment)]) }),
        ]
        if let owner { object["owner"] = .string(owner) }
        if let grants { object["grants"] = .array(grants.map(\.record)) }
        if let comment { object["comment"] = .string(comment) }
        return .object(object)
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
        owner = record["owner"]?.stringValue
        grants = record["grants"]?.arrayValue?.compactMap(ViewGrant.init(record:))
        comment = record["comment"]?.stringValue
        columnComments = (record["columnComments"]?.arrayValue ?? []).compactMap(ColumnComment.init(pair:))
    }

    private var qualified: String { SQLIdentifier.quote(schema) + "." + SQLIdentifier.quote(name) }
    private var kind: String { isMaterialized ? "MATERIALIZED VIEW" : "VIEW" }

    /// Drops just this view; anything else depending on it makes the statement fail.
    var dropStatement: String { "DROP \(kind) \(qualified)" }

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
        return "CREATE \(kind) \(qualified)\(with) AS \(definition)"
    }

    /// Gives the recreated view its old owner, exactly its old grants, and its comments. Owner first: a
    /// new owner takes over the creator's privileges, which the grants then replace.
    func accessStatements(connection: PostgresConnection) throws(ToolError) -> [String] {
        var statements: [String] = []
        if let owner { statements.append("ALTER \(kind) \(qualified) OWNER TO \(SQLIdentifier.quote(owner))") }
        if let grants {
            statements.append("REVOKE ALL ON \(qualified) FROM PUBLIC")
            if let owner { statements.append("REVOKE ALL ON \(qualified) FROM \(SQLIdentifier.quote(owner))") }
            // The owner holds grant options by ownership; granting them to it again would be refused.
            statements += grants.compactMap { grant in
                let plain = grant.grantee == owner ? ViewGrant(grantee: grant.grantee, privilege: grant.privilege, grantable: false) : grant
                return plain.statement(on: qualified)
            }
        }
        if let comment { statements.append("COMMENT ON \(kind) \(qualified) IS \(try connection.ddlLiteral(comment))") }
        for item in columnComments {
            statements.append("COMMENT ON COLUMN \(qualified).\(SQLIdentifier.quote(item.column)) IS \(try connection.ddlLiteral(item.comment))")
        }
        return statements
    }
}
