import ChatEngine
import HTTP
import Logging
import Logs
import Model
import Operations
import Policies
import Store
import ToolsCore

/// The assistant API of one worker thread: its routes, its store connection, its settings.
///
/// Paths and JSON shapes match the Next.js routes of Supabase Studio that this service replaces.
public final class AssistantAPI: HTTPResponder {
    /// The path prefix every endpoint lives under.
    public static let prefix = "/api/ai/assistant"

    let store: any ThreadStore
    let configuration: AssistantConfiguration
    let logger: Logger
    /// What the worker process's threads share (database connections, catalog cache).
    let resources: ChatResources
    /// The chat engine of this thread.
    let chat: ChatService
    private var router: Router

    /// Creates the API on `store` (one per worker thread) offering `tools`; `resources` are shared by the process's
    /// threads; `modelClient` creates this thread's model client on first use (by default from the configuration).
    public init(tools: ToolRegistry, store: any ThreadStore, configuration: AssistantConfiguration, logger: Logger,
                resources: ChatResources = ChatResources(), modelClient: (() -> any ModelClient)? = nil) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.resources = resources
        let model = configuration.model
        chat = ChatService(store: store, configuration: configuration, resources: resources, tools: tools, logger: logger,
                           modelClient: modelClient ?? { makeModelClient(model, logger: logger) })
        router = Router(logger: logger)
        let prefix = Self.prefix
        router.add("GET", "\(prefix)/thread") { [unowned self] in try getThread($0) }
        router.add("DELETE", "\(prefix)/thread") { [unowned self] in try deleteThread($0) }
        router.add("POST", "\(prefix)/setup") { [unowned self] in try setup($0) }
        router.add("POST", "\(prefix)/chat") { [unowned self] in try chat($0) }
        router.add("GET", "\(prefix)/health") { [unowned self] in health($0) }
        router.add("GET", "\(prefix)/metrics") { [unowned self] in metrics($0) }
        resources.metrics.logSetup(logger)
    }

    /// Answers one request; never throws (errors become JSON error responses). With `REQUIRE_AUTH_USER=1`,
    /// a request without an authenticated user is refused here, before any endpoint, except health and metrics.
    /// The authenticated user is taken in NFC (`String.nfc`), like a `userId` the client sends.
    /// Every answer is counted in the metrics (by endpoint and status, with its latency).
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        let started = ContinuousClock.now
        var request = request
        if let user = request.authenticatedUser {
            let normalized = user.nfc
            request.authenticatedUser = normalized
            if !normalized.utf8.elementsEqual(user.utf8) { RequestLogContext.current?.user = normalized }
        }
        let response: HTTPResponse
        do {
            try RequestIdentity.requireAuthenticatedUser(request, settings: configuration.authentication)
            response = router.respond(to: request)
        } catch {
            response = HTTPResponse(error: error)
        }
        return resources.metrics.observe(response, to: request, since: started)
    }

    /// The answer to a request the transport refused before it was read whole (a body over the limit, a body
    /// cut short), counted in the metrics like every other answer; `started` is when the request arrived.
    public func refuse(_ error: APIError, method: String, path: String, since started: ContinuousClock.Instant) -> HTTPResponse {
        resources.metrics.observe(HTTPResponse(error: error),
                                        to: HTTPRequest(method: method, path: path, headers: [:], body: []), since: started)
    }
}
