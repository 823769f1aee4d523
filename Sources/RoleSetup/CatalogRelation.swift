import ToolsCore

/// A table, view or materialized view of a granted schema, as `grant-role` found it in the catalogs.
public struct CatalogRelation: Sendable, Equatable {
    /// Its schema and name.
    public let schema: String, name: String
    /// `pg_class.relkind`: `r`, `p`, `v` or `m`.
    public let kind: Character
    /// Its columns, in order.
    public let columns: [String]
    /// The columns on the secret-column list (`SensitiveColumns`).
    public let secretColumns: [String]
    /// Whether the list names the relation whole.
    public let listedWhole: Bool
    /// A view (or materialized view) whose definition reads a secret column, a relation listed whole, a whole
    /// row of a table with secret columns, or such a view: it reads as its owner, so it is not granted.
    public let readsSecrets: Bool
    /// Whether row-level security is enabled on it.
    public let rowSecurity: Bool
    /// Whether it is one of pgassist's own store tables (the ledger: threads, audit events, trashed copies).
    public let isLedger: Bool

    /// `"schema"."name"`, quoted.
    public var quotedName: String { Quoted.identifier(schema) + "." + Quoted.identifier(name) }

    /// `schema.name`, for the summary.
    public var displayName: String { schema + "." + name }

    /// Whether it is a view or materialized view.
    public var isView: Bool { kind == "v" || kind == "m" }
}

/// A user function any role may execute (EXECUTE granted to PUBLIC, PostgreSQL's default): it cannot be
/// denied to one role, so `grant-role` lists it.
public struct PublicFunction: Sendable, Equatable {
    /// Its schema, name and identity arguments (`pg_get_function_identity_arguments`).
    public let schema: String, name: String, arguments: String
    /// Whether it runs with its owner's rights (`SECURITY DEFINER`).
    public let securityDefiner: Bool
}

/// The state of the role before `grant-role` changes it, when it exists.
public struct ExistingRole: Sendable, Equatable {
    /// Attributes a reader must not have: `grant-role` refuses a role that has any.
    public let superuser: Bool, createRole: Bool, createDB: Bool, replication: Bool
    /// Current attributes `grant-role` may change.
    public let bypassRLS: Bool, canLogin: Bool
    /// Whether the connecting user is already a member.
    public let grantedToConnectingUser: Bool
}

/// SQL quoting for the statements `grant-role` writes.
enum Quoted {
    /// `name` as a quoted identifier.
    static func identifier(_ name: String) -> String { SQLIdentifier.quote(name) }
    /// `text` as a string literal (standard_conforming_strings: only `'` is doubled).
    static func literal(_ text: String) -> String { "'" + text.replacingAll("'", with: "''") + "'" }
}
