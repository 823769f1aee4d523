import ChatEngine
import HTTP
import JSON

/// Chat events written to a server-sent event stream: `message.delta`, `tool.started`, `tool.completed`,
/// `action.required`, and `error` (`{error, code, status}`).
final class EventStreamChatEvents: ChatEvents {
    private let stream: EventStream

    init(_ stream: EventStream) { self.stream = stream }

    func report(_ event: ChatEvent) -> Bool {
        switch event {
        case .messageDelta(let runId, let delta):
            return stream.send(event: "message.delta", data: .object(["runId": .string(runId), "delta": .string(delta)]))
        case .toolStarted(_, let call):
            return stream.send(event: "tool.started", data: call)
        case .toolCompleted(_, let outcome):
            return stream.send(event: "tool.completed", data: outcome)
        case .actionRequired(let runId, let pendingAction):
            return stream.send(event: "action.required", data: .object(["runId": .string(runId), "pendingAction": pendingAction]))
        case .failed(let failure):
            let error = APIError(failure)
            return stream.send(event: "error", data: .object(["error": .string(error.message), "code": .string(error.code.rawValue),
                                                             "status": .number(Double(error.status))]))
        }
    }

    var followsLive: Bool { true }

    var clientGone: (@Sendable () -> Bool)? {
        { [stream] in stream.clientGone }
    }
}
