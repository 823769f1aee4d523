import ChatEngine
import Synchronization

/// A `ChatEvents` sink that keeps everything reported, as a streaming client would see it.
final class RecordedEvents: ChatEvents, @unchecked Sendable {
    private(set) var events: [ChatEvent] = []
    let followsLive: Bool

    init(followsLive: Bool = true) { self.followsLive = followsLive }

    func report(_ event: ChatEvent) -> Bool {
        events.append(event)
        return true
    }

    var clientGone: (@Sendable () -> Bool)? { nil }

    /// The kinds reported, in order: `delta`, `tool.started`, `tool.completed`, `action.required`, `failed`.
    var kinds: [String] {
        events.map {
            switch $0 {
            case .messageDelta: "delta"
            case .toolStarted: "tool.started"
            case .toolCompleted: "tool.completed"
            case .actionRequired: "action.required"
            case .failed: "failed"
            }
        }
    }

    /// The text the deltas spelled out.
    var text: String {
        events.map { if case .messageDelta(_, let delta) = $0 { delta } else { "" } }.joined()
    }
}
