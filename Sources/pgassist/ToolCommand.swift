import ArgumentParser
import ChatEngine
import JSON
import Logging
import Operations
import Platform
import Policies
import Store
import Tools
import ToolsCore

/// `pgassist tool NAME --db CONNECTION --args JSON`: run one tool and print its JSON result
/// (exit 0 on success, 1 on a tool failure, 2 on bad usage); `pgassist tool --list` prints the
/// function definitions the model is offered.
struct ToolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tool",
        abstract: "Run one database tool, or list the tools' function definitions.",
        discussion: """
            Examples:
              pgassist tool list_tables --db 'postgresql://localhost/app'
              pgassist tool run_sql --db 'host=localhost dbname=app' --args '{"query": "select count(*) from film"}'
              pgassist tool drop_table --db … --args '{"table": "old"}'                 # answers confirmation_required + actionId
              pgassist tool drop_table --db … --args '{"table": "old"}' --approve ACT  # performs it
              pgassist tool --list [--style chat-completions]
            Approvals are kept in the thread store (THREAD_STORE_URL), so workers and this command share them;
            an approval acts only with the database (--db: host, port, database, user) and --project it was asked with.
            Tools under APPROVAL_TOOLS (and the approvalTools of --project in PROJECTS_FILE) answer
            confirmation_required first, as in chat.
            """
    )

    @Argument(help: "The tool to run (see --list).")
    var name: String?

    @Option(help: "The target database: a libpq connection string (URI or key=value, TLS options included).")
    var db: String?

    @Option(help: "The tool's arguments as a JSON object.")
    var args: String = "{}"

    @Option(help: "Approve the pending action with this id (from an earlier confirmation_required answer).")
    var approve: String?

    @Option(help: "The user the call is made for; approvals are bound to it (default: $USER or 'cli').")
    var user: String?

    @Option(help: "The project ref the call is made for; approvals are bound to it and to --db (default: none).")
    var project: String = ""

    @Flag(help: "Print the function definitions instead of running a tool.")
    var list = false

    @Option(help: "Definition shape for --list: responses or chat-completions.")
    var style: String = "responses"

    func validate() throws {
        if list {
            guard style == "responses" || style == "chat-completions" else {
                throw ValidationError("--style must be responses or chat-completions.")
            }
            return
        }
        guard let name else { throw ValidationError("Name a tool to run, or pass --list.") }
        guard ToolRegistry.standard.tool(named: name) != nil else {
            throw ValidationError("Unknown tool '\(name)'; available: \(ToolRegistry.standard.names.joined(separator: ", ")).")
        }
    }

    func run() throws {
        let environment = EnvironmentReader.processVariables
        _ = LogSetup.bootstrap(environment: environment.merging(["LOG_LEVEL": environment["LOG_LEVEL"] ?? "error"]) { $1 })
        let registry = ToolRegistry.standard
        if list {
            let definitions = style == "responses" ? registry.responsesDefinitions : registry.chatCompletionsDefinitions
            print(definitions.serialized())
            return
        }
        let settings: ToolSettings
        do {
            settings = try ToolSettings(environment: environment)
        } catch {
            throw ValidationError("\(error)")
        }
        let serveSettings = try ServeSettings(environment: environment, threads: nil, maxRequests: nil, maxBodyBytes: nil)
        let store = StoreApprovals { () throws(StoreError) -> any ApprovalRecords in try serveSettings.openStore() }
        let database = db.map {
            DatabaseAccess(connectionString: $0, pool: ConnectionPool(capacityPerDatabase: 2), settings: settings, cache: SchemaCache())
        }
        let actions = BoundPendingActions(store: store, target: PendingActionTarget(projectRef: project, database: database))
        let context = ToolContext(settings: settings, database: database,
                                  userId: (user ?? environment["USER"] ?? "cli").nfc, actions: actions, approvedActionId: approve)
        let policy = ApprovalPolicy(gatedTools: try gatedTools(serveSettings.assistant))
        let outcome = policy.run(name ?? "", arguments: args, registry: registry, context: context,
                                 nowMilliseconds: WallClock.nowMilliseconds())
        print(outcome.rendered)
        if !outcome.result.isSuccess { throw ExitCode(1) }
    }

    /// The tools under the user's approval, as for chat: `APPROVAL_TOOLS`, and the `approvalTools` of `--project`
    /// when the project file (`PROJECTS_FILE`) lists it.
    private func gatedTools(_ configuration: AssistantConfiguration) throws -> Set<String> {
        var gated = configuration.chat.approvalTools
        let logger = Logger(label: "pgassist.tool")
        do {
            let projects = try ProjectRegistry.load(settings: configuration.projects,
                                                    knownTools: ToolRegistry.standard.knownTools, logger: logger)
            if let entry = projects?.project(project) { gated.formUnion(entry.approvalTools) }
        } catch {
            throw ValidationError("\(error)")
        }
        return gated
    }
}
