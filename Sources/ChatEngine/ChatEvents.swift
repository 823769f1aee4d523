import JSON

/// What a run reports while it runs, for a client that follows it live. The edge renders each one (as a
/// server-sent event); the engine only says what happened.
public enum ChatEvent {
    /// A piece of the model's answer text.
    case messageDelta(runId: String, delta: String)
    /// A tool call starts: `{runId, id, name, arguments}`.
    case toolStarted(runId: String, call: JSONValue)
    /// A tool call finished: its entry of the answer's `toolCalls`, with `runId` (without its arguments).
    case toolCompleted(runId: String, outcome: JSONValue)
    /// The run waits for the user's decision on `pendingAction` (`{id, tool, arguments, impact, expiresAt, callId}`).
    case actionRequired(runId: String, pendingAction: JSONValue)
    /// The run failed; nothing more comes.
    case failed(ChatError)
}

/// Where a run reports progress as it happens: the event stream of a streaming request, or nowhere.
public protocol ChatEvents: AnyObject {
    /// Reports one event; false when the client is gone (the run then stops and keeps what it has).
    func report(_ event: ChatEvent) -> Bool

    /// Whether the client follows the answer as it is written (the model is then asked to stream it).
    var followsLive: Bool { get }

    /// Tells, from any thread, whether the client is gone even though nothing was reported (a heartbeat
    /// found it), so a model call that streams nothing can be cancelled; nil when the edge cannot tell.
    var clientGone: (@Sendable () -> Bool)? { get }
}

/// The events of a request that waits for the whole answer: dropped.
public final class SilentEvents: ChatEvents {
    /// A sink that drops everything.
    public init() {}

    public func report(_ event: ChatEvent) -> Bool { true }

    public var followsLive: Bool { false }

    public var clientGone: (@Sendable () -> Bool)? { nil }
}
