extension ModelResponse {
    /// Sends the whole answer to `onEvent` as if it had been streamed (for servers that ignore
    /// `stream: true`); throws `.cancelled` when `onEvent` returns false.
    func replay(to onEvent: (ModelStreamEvent) -> Bool) throws(ModelError) {
        var events: [ModelStreamEvent] = text.isEmpty ? [] : [.textDelta(text)]
        for call in toolCalls {
            events.append(.toolCallStarted(callId: call.callId, name: call.name))
            if !call.arguments.isEmpty { events.append(.toolCallArgumentsDelta(callId: call.callId, delta: call.arguments)) }
        }
        for event in events where !onEvent(event) {
            throw ModelError(code: .cancelled, message: "the caller stopped listening")
        }
    }
}
