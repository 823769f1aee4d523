import Logging
import Model
import Store
import ToolsCore

/// The chat engine of one request thread: owns a run's whole lifecycle (start for a new message, resume after
/// the user's decision, cancel, expire stale runs, abandon a run it cannot drive) and drives runs through
/// `PreparedRun`. It knows no HTTP: it answers domain values (`ChatStart`, `ChatReply`) and `ChatError`s, and
/// reports progress to a `ChatEvents` sink the edge gives it.
public final class ChatService {
    let store: any ThreadStore
    let configuration: AssistantConfiguration
    let logger: Logger
    /// What the worker process's threads share: connection pools, run locks, metrics.
    let resources: ChatResources
    /// Every tool the assistant may offer, in order; the assistant definition and the project narrow it.
    package let tools: ToolRegistry
    private let makeClient: () -> any ModelClient
    private var client: (any ModelClient)?

    /// A service over `store` (this thread's connection), offering tools of `tools`; `modelClient` creates this
    /// thread's model client on first use (kept, so its HTTP connection is reused).
    public init(store: any ThreadStore, configuration: AssistantConfiguration, resources: ChatResources,
                tools: ToolRegistry, logger: Logger, modelClient: @escaping () -> any ModelClient) {
        self.store = store
        self.configuration = configuration
        self.resources = resources
        self.tools = tools
        self.logger = logger
        makeClient = modelClient
    }

    /// This thread's model client, created on first use.
    public var modelClient: any ModelClient {
        if let client { return client }
        let created = makeClient()
        client = created
        return created
    }

    /// Starts what `command` asks. A refusal before anything was stored is thrown (nothing changed); see `ChatStart`.
    public func start(_ command: ChatCommand) throws(ChatError) -> ChatStart {
        switch command.intent {
        case .cancel(let runId):
            return .answered(try cancel(runId: runId, command))
        case .message(let text):
            return try startMessage(text, command)
        case .approve(let actionId):
            return try decide(actionId: actionId, approved: true, command)
        case .reject(let actionId):
            return try decide(actionId: actionId, approved: false, command)
        }
    }

    /// Runs a store operation, logging a failure with its details and turning it into a `ChatError`.
    func withStore<T>(_ operation: String, _ body: () throws(StoreError) -> T) throws(ChatError) -> T {
        do {
            return try body()
        } catch {
            logger.error("store operation failed", metadata: ["operation": "\(operation)", "error": "\(error.debugDescription)"])
            throw ChatError(error)
        }
    }

    /// `model_not_configured` before anything is stored when no provider is set up.
    func requireModel() throws(ChatError) {
        let model = configuration.model
        if model.apiKey == nil && model.baseURL == ModelConfiguration.defaultBaseURL {
            throw ChatError(.modelNotConfigured,
                            "Chat is not available: no model provider is configured on this server (set OPENAI_API_KEY, or OPENAI_BASE_URL for a local server).")
        }
    }
}
