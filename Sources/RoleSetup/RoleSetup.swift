import JSON
import Postgres
import ToolsCore

/// `pgassist grant-role`: makes a least-privilege reader role on a target database, or prints the SQL that would.
public enum RoleSetup {
    /// What a run did (or, printing, would do).
    public struct Outcome: Sendable {
        /// The JSON summary: role, schemas, grants, what was withheld and why, PUBLIC functions, and with
        /// `--login` the connection string (which holds the new password: print it, never log it).
        public let summary: JSONValue
        /// The statements as a script (comments included), for `--print`.
        public let script: String
    }

    /// Reads the catalogs of `connectionString`'s database and, unless `printOnly`, applies the plan in one
    /// transaction. `settings` give the platform schemas and the secret columns.
    public static func run(_ options: RoleOptions, connectionString: String, settings: ToolSettings,
                           printOnly: Bool) throws(RoleSetupError) -> Outcome {
        do {
            let connection = try PostgresConnection(connectionString: connectionString, applicationName: "pgassist grant-role")
            let catalog = try RoleCatalog.read(options, settings: settings, on: connection)
            let password = options.login && !printOnly ? GeneratedPassword.make() : nil
            let verifier = try password.map { (password) throws(PostgresError) in
                try connection.encryptedPassword(password, role: options.role)
            }
            let plan = try RolePlan(options, catalog: catalog, passwordVerifier: verifier)
            if !printOnly {
                try connection.transaction {
                    for statement in plan.statements { try connection.execute(statement) }
                }
            }
            var summary = plan.summary
            summary["role"] = .string(options.role)
            summary["schemas"] = .array(catalog.schemas.map(JSONValue.string))
            summary["bypassRls"] = .bool(options.bypassRLS)
            summary["login"] = .bool(options.login || catalog.existingRole?.canLogin == true)
            summary["publicFunctions"] = .array(catalog.publicFunctions.map(describe))
            if let password {
                summary["connectionString"] = .string(try loginConnectionString(connectionString, role: options.role, password: password))
            }
            return Outcome(summary: .object(summary), script: script(plan, catalog: catalog, options: options))
        } catch let error as RoleSetupError {
            throw error
        } catch let error as PostgresError {
            throw RoleSetupError("PostgreSQL: \(error.message)")
        } catch {
            throw RoleSetupError("\(error)")
        }
    }

    /// `connectionString` with the login's user and password instead of its own.
    static func loginConnectionString(_ connectionString: String, role: String, password: String) throws(PostgresError) -> String {
        let login = ConnectionInfo(options: [.init(keyword: "user", value: role), .init(keyword: "password", value: password)])
        return try ConnectionInfo(parsing: connectionString).overriding(with: login).keyValueString
    }

    private static func describe(_ function: PublicFunction) -> JSONValue {
        .object(["function": .string("\(function.schema).\(function.name)(\(function.arguments))"),
                 "securityDefiner": .bool(function.securityDefiner)])
    }

    /// The plan's statements, with what is withheld as comments.
    private static func script(_ plan: RolePlan, catalog: RoleCatalog, options: RoleOptions) -> String {
        var lines = ["-- pgassist grant-role: role \(Quoted.identifier(options.role)), schemas \(catalog.schemas.joined(separator: ", "))",
                     "BEGIN;", plan.script, "COMMIT;"]
        if options.login {
            lines.append("-- Set the login's password yourself (psql: \\password \(Quoted.identifier(options.role))); without --print one is generated.")
        }
        lines += plan.viewsNotGranted.map { "-- not granted (reads secret columns as its owner): \($0)" }
        lines += plan.columnsWithheld.map { "-- secret columns left out: \($0.table) (\($0.columns.joined(separator: ", ")))" }
        lines += catalog.publicFunctions.map {
            "-- executable by PUBLIC, cannot be denied to one role: \($0.schema).\($0.name)(\($0.arguments))"
                + ($0.securityDefiner ? " SECURITY DEFINER" : "")
        }
        return lines.joined(separator: "\n")
    }
}
