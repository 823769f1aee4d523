import HTTP
import Logging

/// The assistant API of one worker thread: its routes, its store connection, its settings.
///
/// Paths and JSON shapes match the Next.js routes of Supabase Studio that this service replaces.
public final class AssistantAPI {
    /// The path prefix every endpoint lives under.
    public static let prefix = "/api/ai/assistant"

    let store: any ThreadStore
    let configuration: AssistantConfiguration
    let logger: Logger
    private var router: Router

    /// Creates the API on `store` (one per worker thread).
    public init(store: any ThreadStore, configuration: AssistantConfiguration, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        router = Router(logger: logger)
        let prefix = Self.prefix
        router.add("GET", "\(prefix)/thread") { [unowned self] in try getThread($0) }
        router.add("DELETE", "\(prefix)/thread") { [unowned self] in try deleteThread($0) }
        router.add("POST", "\(prefix)/setup") { [unowned self] in try setup($0) }
        router.add("POST", "\(prefix)/chat") { [unowned self] in try chat($0) }
        router.add("GET", "\(prefix)/health") { [unowned self] in health($0) }
    }

    /// Answers one request; never throws (errors become JSON error responses).
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        router.respond(to: request)
    }
}
