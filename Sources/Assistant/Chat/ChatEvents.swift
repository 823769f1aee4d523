import JSON

/// Where a run reports progress as it happens: the event stream of a streaming request, or nowhere.
protocol ChatEvents: AnyObject {
    /// Sends one event; false when the client is gone (the run then stops and keeps what it has).
    func emit(_ event: String, _ data: JSONValue) -> Bool

    /// Tells, from any thread, whether the client is gone even though nothing was emitted (a heartbeat
    /// found it), so a model call that streams nothing can be cancelled; nil when there is no client to lose.
    var clientGone: (@Sendable () -> Bool)? { get }
}

/// The events of a non-streaming request: dropped.
final class SilentEvents: ChatEvents {
    func emit(_ event: String, _ data: JSONValue) -> Bool { true }

    var clientGone: (@Sendable () -> Bool)? { nil }
}
