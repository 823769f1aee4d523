import JSON

/// The statements that make the role what `RoleOptions` asks, from what `RoleCatalog` found, and what they
/// grant and withhold. Every identifier is quoted; applying the statements twice leaves the same grants
/// (each relation's privileges are revoked and granted again, so a column that became secret is taken away).
public struct RolePlan: Sendable {
    /// The statements, in order, without a trailing `;`.
    public private(set) var statements: [String] = []
    /// The relations granted whole (`schema.name`).
    public private(set) var tablesGranted: [String] = []
    /// The tables granted column by column, and the secret columns left out of each.
    public private(set) var columnsWithheld: [(table: String, columns: [String])] = []
    /// Tables granted nothing: listed whole, only secret columns, or pgassist's ledger.
    public private(set) var tablesWithheld: [String] = []
    /// Views that read secret columns (they run with their owner's rights), not granted.
    public private(set) var viewsNotGranted: [String] = []
    /// Granted tables with row-level security, which the role sees filtered unless it bypasses it.
    public private(set) var rowSecurityTables: [String] = []

    /// The plan for `options` on `catalog`; `passwordVerifier` is the stored form of a new login password
    /// (nil: the login's password is left out, as for `--print`). Fails when the role exists with attributes a
    /// reader must not have, or when `BYPASSRLS` must change and the connecting user is no superuser.
    public init(_ options: RoleOptions, catalog: RoleCatalog, passwordVerifier: String?) throws(RoleSetupError) {
        let role = Quoted.identifier(options.role)
        try planRole(options, catalog: catalog, role: role, passwordVerifier: passwordVerifier)
        for schema in catalog.schemas {
            statements.append("GRANT USAGE ON SCHEMA \(Quoted.identifier(schema)) TO \(role)")
            statements.append("ALTER DEFAULT PRIVILEGES IN SCHEMA \(Quoted.identifier(schema)) GRANT SELECT ON TABLES TO \(role)")
        }
        for relation in catalog.relations { plan(relation, role: role, bypassRLS: options.bypassRLS) }
        if catalog.trashExists {
            let trash = Quoted.identifier("pgassist_trash")
            statements.append("REVOKE ALL ON ALL TABLES IN SCHEMA \(trash) FROM \(role)")
            statements.append("REVOKE ALL ON SCHEMA \(trash) FROM \(role)")
        }
    }

    private mutating func planRole(_ options: RoleOptions, catalog: RoleCatalog, role: String,
                                   passwordVerifier: String?) throws(RoleSetupError) {
        let existing = catalog.existingRole
        if let existing {
            let unsafe = [("SUPERUSER", existing.superuser), ("CREATEROLE", existing.createRole),
                          ("CREATEDB", existing.createDB), ("REPLICATION", existing.replication)].filter(\.1).map(\.0)
            guard unsafe.isEmpty else {
                throw RoleSetupError("The role \(role) exists with \(unsafe.joined(separator: ", ")), which a reader must not have; "
                                     + "choose another --role or remove them (ALTER ROLE \(role) NO…).")
            }
        } else {
            statements.append("CREATE ROLE \(role) NOLOGIN")
        }
        if options.bypassRLS != (existing?.bypassRLS ?? false) {
            guard catalog.connectingSuperuser else {
                throw RoleSetupError(options.bypassRLS
                    ? "--bypass-rls needs a superuser connection: only a superuser may give a role BYPASSRLS."
                    : "The role \(role) has BYPASSRLS; pass --bypass-rls to keep it, or connect as a superuser to remove it.")
            }
            statements.append("ALTER ROLE \(role) \(options.bypassRLS ? "BYPASSRLS" : "NOBYPASSRLS")")
        }
        if options.login {
            if let passwordVerifier {
                statements.append("ALTER ROLE \(role) LOGIN PASSWORD \(Quoted.literal(passwordVerifier))")
            } else {
                statements.append("ALTER ROLE \(role) LOGIN")
            }
        }
        if existing?.grantedToConnectingUser != true {
            statements.append("GRANT \(role) TO CURRENT_USER")
        }
    }

    private mutating func plan(_ relation: CatalogRelation, role: String, bypassRLS: Bool) {
        let name = relation.quotedName
        statements.append("REVOKE ALL ON TABLE \(name) FROM \(role)")
        if relation.isView && relation.readsSecrets {
            viewsNotGranted.append(relation.displayName)
            return
        }
        let readable = relation.columns.filter { !relation.secretColumns.contains($0) }
        if relation.listedWhole || relation.isLedger || readable.isEmpty {
            tablesWithheld.append(relation.displayName)
            return
        }
        if relation.secretColumns.isEmpty {
            statements.append("GRANT SELECT ON TABLE \(name) TO \(role)")
            tablesGranted.append(relation.displayName)
        } else {
            let columns = readable.map(Quoted.identifier).joined(separator: ", ")
            statements.append("GRANT SELECT (\(columns)) ON TABLE \(name) TO \(role)")
            columnsWithheld.append((relation.displayName, relation.secretColumns))
        }
        if relation.rowSecurity && !bypassRLS { rowSecurityTables.append(relation.displayName) }
    }

    /// The statements as a script, one per line, each ending with `;`.
    public var script: String { statements.map { $0 + ";" }.joined(separator: "\n") }

    /// What the plan grants and withholds, for the command's JSON summary.
    public var summary: [String: JSONValue] {
        [
            "tablesGranted": .array(tablesGranted.map(JSONValue.string)),
            "columnsWithheld": .array(columnsWithheld.map {
                .object(["table": .string($0.table), "columns": .array($0.columns.map(JSONValue.string))])
            }),
            "tablesWithheld": .array(tablesWithheld.map(JSONValue.string)),
            "viewsNotGranted": .array(viewsNotGranted.map(JSONValue.string)),
            "rowSecurityTables": .array(rowSecurityTables.map(JSONValue.string)),
        ]
    }
}
