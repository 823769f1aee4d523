/// The endpoint a request is counted under in the metrics: a route the API serves, or `other` for
/// anything else (unknown paths, wrong methods), so the number of series stays fixed.
enum RequestEndpoint: Int, CaseIterable, Sendable {
    case getThread, deleteThread, setup, chat, health, metrics, other

    /// The route of `method` and `path`, matched exactly as the router matches it.
    init(method: String, path: String) {
        let prefix = Self.routePrefix
        guard path.utf8.starts(with: prefix.utf8) else {
            self = .other
            return
        }
        // Compared on bytes, as the router does (and no character is counted: every request comes here).
        let rest = path.utf8.dropFirst(prefix.utf8.count)
        let route = Self.allCases.first { $0 != .other && $0.method == method && rest.elementsEqual($0.name.utf8) }
        self = route ?? .other
    }

    /// The API prefix with its trailing slash, built once.
    private static let routePrefix = AssistantAPI.prefix + "/"

    /// The `method` label.
    var method: String {
        switch self {
        case .getThread, .health, .metrics: "GET"
        case .deleteThread: "DELETE"
        case .setup, .chat: "POST"
        case .other: "other"
        }
    }

    /// The `endpoint` label: the path under the API prefix.
    var name: String {
        switch self {
        case .getThread, .deleteThread: "thread"
        case .setup: "setup"
        case .chat: "chat"
        case .health: "health"
        case .metrics: "metrics"
        case .other: "other"
        }
    }
}
