import ArgumentParser

/// The `pgassist` command: the Supabase Studio AI assistant API as a FastCGI responder.
struct PgAssist: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgassist",
        abstract: "The Supabase Studio AI assistant API, served over FastCGI behind nginx.",
        subcommands: [Serve.self, Migrate.self, ToolCommand.self],
        defaultSubcommand: Serve.self
    )
}
