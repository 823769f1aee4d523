import ArgumentParser
import Platform

/// The `pgassist` command: the Supabase Studio AI assistant API as a FastCGI responder.
struct PgAssist: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgassist",
        abstract: "The Supabase Studio AI assistant API, served over FastCGI behind nginx.",
        subcommands: [Serve.self, Migrate.self, ToolCommand.self, AuditCommand.self, PurgeCommand.self, GrantRoleCommand.self, StatsCommand.self, BenchGuardCommand.self],
        defaultSubcommand: Serve.self
    )
}

extension PgAssist {
    /// Parses and runs the command. Bad usage exits with status 2 (as the tool CLI promises),
    /// other failures as ArgumentParser decides (1 for errors, the command's own exit codes).
    static func runMain() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                var standardError = StandardError()
                print(fullMessage(for: error), to: &standardError)
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
