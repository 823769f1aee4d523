/// The endpoint a request is counted under in the metrics: a route the API serves, or `other` for
/// anything else (unknown paths, wrong methods), so the number of series stays fixed.
public enum RequestEndpoint: Int, CaseIterable, Sendable {
    case getThread, deleteThread, setup, chat, health, metrics, other

    /// The `method` label.
    public var method: String {
        switch self {
        case .getThread, .health, .metrics: "GET"
        case .deleteThread: "DELETE"
        case .setup, .chat: "POST"
        case .other: "other"
        }
    }

    /// The `endpoint` label: the path under the API prefix.
    public var name: String {
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
