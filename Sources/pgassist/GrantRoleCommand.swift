import ArgumentParser
import Platform
import RoleSetup
import ToolsCore

/// `pgassist grant-role --db CONNECTION`: creates or updates a least-privilege reader role (idempotently) and
/// grants it to the connecting user; prints a JSON summary, or with `--print` only the SQL.
struct GrantRoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant-role",
        abstract: "Create or update a least-privilege reader role for run_sql (SQL_READ_ONLY_CONNECTION / SQL_READ_ONLY_ROLE).",
        discussion: """
            The role gets USAGE on the schemas, SELECT on their tables (and on future ones, by default privileges),
            column by column where a table has secret columns (SENSITIVE_COLUMNS, SENSITIVE_COLUMN_NAMES and the
            built-in list); nothing in platform schemas, pgassist_trash or pgassist's own store; views that read
            secret columns are not granted. Running it again gives the same grants.

            Examples:
              pgassist grant-role --db 'postgresql://postgres@localhost/app' --login     # prints the login's connection string
              pgassist grant-role --db … --schemas public,sales --bypass-rls
              pgassist grant-role --db … --print                                        # only the SQL, nothing changed
            With --login, each run sets a new password; the connection string (on stdout) is the only place it appears.
            """
    )

    @Option(help: "The target database: a libpq connection string, as a role that owns the tables (or may grant them).")
    var db: String

    @Option(help: "The role to create or update.")
    var role: String = "pgassist_reader"

    @Option(help: "Comma-separated schemas to grant (default: every schema but the system and platform ones).")
    var schemas: String?

    @Flag(help: "Let the role bypass row-level security (needs a superuser connection).")
    var bypassRls = false

    @Flag(help: "Let the role log in, with a new generated password; prints its connection string.")
    var login = false

    @Flag(help: "Only print the SQL; change nothing.")
    var print = false

    /// `--schemas` as a list, or nil for the default.
    private var schemaList: [String]? {
        schemas.map { $0.split(separator: ",").map { EnvironmentReader.trimmed(String($0)) } }
    }

    func validate() throws {
        guard !role.isEmpty, role.utf8.count <= SQLIdentifier.maxLength, !role.utf8.contains(0) else {
            throw ValidationError("--role must be 1 to \(SQLIdentifier.maxLength) bytes long.")
        }
        if let schemaList, schemaList.isEmpty || schemaList.contains(where: \.isEmpty) {
            throw ValidationError("--schemas must list schema names separated by commas.")
        }
    }

    func run() throws {
        let settings: ToolSettings
        do {
            settings = try ToolSettings(environment: EnvironmentReader.processVariables)
        } catch {
            throw ValidationError("\(error)")
        }
        let options = RoleOptions(role: role, schemas: schemaList, bypassRLS: bypassRls, login: login)
        let outcome: RoleSetup.Outcome
        do {
            outcome = try RoleSetup.run(options, connectionString: db, settings: settings, printOnly: print)
        } catch {
            var standardError = StandardError()
            Swift.print("pgassist grant-role: \(error)", to: &standardError)
            throw ExitCode(1)
        }
        Swift.print(print ? outcome.script : outcome.summary.serialized())
    }
}
