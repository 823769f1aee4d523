import HTTP
import JSON

/// Chat events written to a server-sent event stream.
final class EventStreamChatEvents: ChatEvents {
    private let stream: EventStream

    init(_ stream: EventStream) { self.stream = stream }

    func emit(_ event: String, _ data: JSONValue) -> Bool {
        stream.send(event: event, data: data)
    }

    var clientGone: (@Sendable () -> Bool)? {
        { [stream] in stream.clientGone }
    }
}
