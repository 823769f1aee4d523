import AssistantHTTP
import ChatEngine
import Logging
import Operations
import Policies
import Store
import Tools
import ToolsCore

/// The composition root of `pgassist serve`: builds the parts a worker process shares (connection pools, project
/// registry, host policy, run locks, run-end retrier, metrics) once, and each request thread's API over them.
struct Wiring: Sendable {
    let settings: ServeSettings
    let resources: ChatResources
    let logger: Logger

    /// Builds the shared parts for `settings`; a malformed project file is an error.
    init(settings: ServeSettings, logger: Logger) throws {
        let configuration = settings.assistant
        var runLocks: RunLockKeeper?
        if case .postgres(let connectionString) = configuration.storeLocation {
            runLocks = RunLockKeeper(connectionString: connectionString, logger: logger)
        }
        let runEnds = RunEndRetrier(logger: logger) { () throws(StoreError) -> any RunStore in
            try settings.openStore()
        }
        do {
            let projects = try ProjectRegistry.load(settings: configuration.projects,
                                                    knownTools: ToolRegistry.standard.knownTools, logger: logger)
            resources = ChatResources(projects: projects, hostPolicy: DatabaseHostPolicy(settings: configuration.projects),
                                      runLocks: runLocks, runEnds: runEnds,
                                      metrics: .open(tools: ToolRegistry.standard.names))
        } catch {
            throw StartupError("\(error)")
        }
        self.settings = settings
        self.logger = logger
    }

    /// The API of one request thread: its own store connection over the shared parts.
    func api() throws(StoreError) -> AssistantAPI {
        AssistantAPI(tools: .standard, store: try settings.openStore(), configuration: settings.assistant, logger: logger,
                     resources: resources)
    }
}
