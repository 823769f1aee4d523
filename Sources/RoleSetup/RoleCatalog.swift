import Postgres
import ToolsCore

/// What `grant-role` reads from the target database's catalogs before it writes any statement: the
/// connecting user, the role as it is, the schemas to grant, their relations with their secret columns, and
/// the functions PUBLIC may execute there.
public struct RoleCatalog: Sendable {
    /// Whether the connecting user is a superuser (only a superuser may give `BYPASSRLS`).
    public let connectingSuperuser: Bool
    /// The role as it is, or nil when it does not exist yet.
    public let existingRole: ExistingRole?
    /// The schemas granted, sorted.
    public let schemas: [String]
    /// Their tables, views and materialized views, sorted by schema and name.
    public let relations: [CatalogRelation]
    /// The user functions in them that PUBLIC may execute.
    public let publicFunctions: [PublicFunction]
    /// Whether `pgassist_trash` exists.
    public let trashExists: Bool

    /// pgassist's own store tables (`Sources/Store/Migration.swift`), withheld where the thread store lives in
    /// the target database: a schema holding all of `schema_migrations`, `threads` and `audit_events` holds it.
    static let ledgerTables: Set<String> = [
        "schema_migrations", "assistants", "threads", "messages", "runs", "pending_actions", "audit_events",
        "usage_windows", "idempotency_keys", "trashed_copies",
    ]

    /// Reads the catalogs for `options` with `settings`' platform schemas and secret columns.
    public static func read(_ options: RoleOptions, settings: ToolSettings,
                            on connection: PostgresConnection) throws -> RoleCatalog {
        let superuser = try connection.query("""
            SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = CURRENT_USER
            """).bool(0, 0) ?? false
        let schemas = try chooseSchemas(options, settings: settings, on: connection)
        return RoleCatalog(
            connectingSuperuser: superuser,
            existingRole: try existingRole(options.role, on: connection),
            schemas: schemas,
            relations: try relations(in: schemas, settings: settings, on: connection),
            publicFunctions: try publicFunctions(in: schemas, on: connection),
            trashExists: try connection.query("SELECT pg_catalog.to_regnamespace($1) IS NOT NULL",
                                              [ProtectedSchemas.trash]).bool(0, 0) ?? false)
    }

    /// `--schemas` (each must exist and be neither a system, platform nor the trash schema), or every user schema.
    private static func chooseSchemas(_ options: RoleOptions, settings: ToolSettings,
                                      on connection: PostgresConnection) throws -> [String] {
        let found = try connection.query("""
            SELECT n.nspname::pg_catalog.text FROM pg_catalog.pg_namespace n
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'
            ORDER BY 1
            """)
        let existing = (0..<found.count).compactMap { found.string($0, 0) }
        guard let asked = options.schemas else {
            return existing.filter { !ProtectedSchemas.contains($0, settings: settings) }
        }
        for schema in asked {
            guard existing.contains(schema) else { throw RoleSetupError("The schema \(Quoted.identifier(schema)) does not exist.") }
            if ProtectedSchemas.contains(schema, settings: settings) {
                throw RoleSetupError("The schema \(Quoted.identifier(schema)) is managed by the system or the platform; a reader is not granted it.")
            }
        }
        return Array(Set(asked)).sorted()
    }

    private static func existingRole(_ role: String, on connection: PostgresConnection) throws -> ExistingRole? {
        let found = try connection.query("""
            SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls, r.rolcanlogin,
                   EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles u ON u.oid = m.member
                           WHERE m.roleid = r.oid AND u.rolname = CURRENT_USER)
            FROM pg_catalog.pg_roles r WHERE r.rolname = $1
            """, [role])
        guard found.count == 1 else { return nil }
        let flag = { (column: Int) in found.bool(0, column) ?? false }
        return ExistingRole(superuser: flag(0), createRole: flag(1), createDB: flag(2), replication: flag(3),
                            bypassRLS: flag(4), canLogin: flag(5), grantedToConnectingUser: flag(6))
    }

    /// One row per column of every relation of `schemas`, with what the secret-column list says of it.
    private static func relations(in schemas: [String], settings: ToolSettings,
                                  on connection: PostgresConnection) throws -> [CatalogRelation] {
        let found = try connection.query("""
            WITH RECURSIVE candidates(relid) AS (
            SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname !~ '^pg_(toast|temp)'
            ), \(SensitiveColumns.listedCTE),
            secret_views(relid) AS (
            SELECT r.ev_class FROM pg_catalog.pg_rewrite r
            JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = r.oid
                 AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid <> r.ev_class
            JOIN listed l ON l.relid = d.refobjid
            WHERE l.attnum = 0 OR l.attnum = d.refobjsubid
               OR (d.refobjsubid = 0 AND r.ev_action::pg_catalog.text ~ ':varattno 0 ')
            UNION
            SELECT r.ev_class FROM pg_catalog.pg_rewrite r
            JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND d.objid = r.oid
                 AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid <> r.ev_class
            JOIN secret_views s ON s.relid = d.refobjid
            )
            SELECT n.nspname::pg_catalog.text, c.relname::pg_catalog.text, c.relkind::pg_catalog.text,
                   a.attname::pg_catalog.text,
                   EXISTS (SELECT 1 FROM listed l WHERE l.relid = c.oid AND l.attnum = a.attnum),
                   EXISTS (SELECT 1 FROM listed l WHERE l.relid = c.oid AND l.attnum = 0),
                   EXISTS (SELECT 1 FROM secret_views s WHERE s.relid = c.oid),
                   c.relrowsecurity
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE n.nspname = ANY ($1::pg_catalog.text[]) AND c.relkind IN ('r', 'p', 'v', 'm')
            ORDER BY n.nspname, c.relname, a.attnum
            """, [textArray(schemas)] + settings.sensitiveColumns.catalogParameters)
        var relations: [CatalogRelation] = []
        var row = 0
        while row < found.count {
            let (schema, name) = (found.string(row, 0) ?? "", found.string(row, 1) ?? "")
            var columns: [String] = [], secret: [String] = []
            let first = row
            while row < found.count, found.string(row, 0) == schema, found.string(row, 1) == name {
                let column = found.string(row, 3) ?? ""
                columns.append(column)
                if found.bool(row, 4) == true { secret.append(column) }
                row += 1
            }
            relations.append(CatalogRelation(
                schema: schema, name: name, kind: found.string(first, 2)?.first ?? "r", columns: columns,
                secretColumns: secret, listedWhole: found.bool(first, 5) ?? false,
                readsSecrets: found.bool(first, 6) ?? false, rowSecurity: found.bool(first, 7) ?? false,
                isLedger: false))
        }
        return markLedger(relations)
    }

    /// `relations` with pgassist's store tables marked, in schemas that hold a store.
    private static func markLedger(_ relations: [CatalogRelation]) -> [CatalogRelation] {
        let storeSchemas = Set(relations.map(\.schema)).filter { schema in
            let names = Set(relations.filter { $0.schema == schema && !$0.isView }.map(\.name))
            return names.isSuperset(of: ["schema_migrations", "threads", "audit_events"])
        }
        return relations.map { relation in
            guard storeSchemas.contains(relation.schema), !relation.isView, ledgerTables.contains(relation.name) else { return relation }
            return CatalogRelation(schema: relation.schema, name: relation.name, kind: relation.kind, columns: relation.columns,
                                   secretColumns: relation.secretColumns, listedWhole: relation.listedWhole,
                                   readsSecrets: relation.readsSecrets, rowSecurity: relation.rowSecurity, isLedger: true)
        }
    }

    private static func publicFunctions(in schemas: [String], on connection: PostgresConnection) throws -> [PublicFunction] {
        let found = try connection.query("""
            SELECT n.nspname::pg_catalog.text, p.proname::pg_catalog.text,
                   pg_catalog.pg_get_function_identity_arguments(p.oid), p.prosecdef
            FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = ANY ($1::pg_catalog.text[])
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                              AND d.objid = p.oid AND d.deptype = 'e')
              AND EXISTS (SELECT 1 FROM pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) x
                          WHERE x.grantee = 0 AND x.privilege_type = 'EXECUTE')
            ORDER BY 1, 2, 3
            """, [textArray(schemas)])
        return (0..<found.count).map {
            PublicFunction(schema: found.string($0, 0) ?? "", name: found.string($0, 1) ?? "",
                           arguments: found.string($0, 2) ?? "", securityDefiner: found.bool($0, 3) ?? false)
        }
    }

    private static func textArray(_ values: [String]) -> String { SensitiveColumns.textArray(values) }
}
