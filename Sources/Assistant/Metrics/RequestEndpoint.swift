/// The endpoint a request is counted under in the metrics: a route the API serves, or `other` for
/// anything else (unknown paths, wrong methods), so the number of series stays fixed.
enum RequestEndpoint: Int, CaseIterable, Sendable {
    case getThread, deleteThread, setup, chat, health, metrics, other

    /// The route of `method` and `path` (a trailing slash is ignored, as the router does).
    init(method: String, path: String) {
        let trimmed = path.utf8.count > 1 && path.utf8.last == UInt8(ascii: "/") ? String(path.dropLast()) : path
        let prefix = Self.routePrefix
        guard trimmed.hasPrefix(prefix) else {
            self = .other
            return
        }
        // The prefix is ASCII: skip its bytes rather than count its characters (every request comes here).
        switch (method, trimmed[trimmed.utf8.index(trimmed.startIndex, offsetBy: prefix.utf8.count)...]) {
        case ("GET", "thread"): self = .getThread
        case ("DELETE", "thread"): self = .deleteThread
        case ("POST", "setup"): self = .setup
        case ("POST", "chat"): self = .chat
        case ("GET", "health"): self = .health
        case ("GET", "metrics"): self = .metrics
        default: self = .other
        }
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
