import ChatEngine
import HTTP
import JSON
import Store

extension AssistantAPI {
    /// `POST /chat`: a new message (runs the model and its tools), an approval or rejection of the pending
    /// action of a run waiting for one, or the cancellation of a run. Answers JSON, or server-sent events
    /// with `"stream": true` or `Accept: text/event-stream`.
    /// With an `Idempotency-Key` header, a retry gets the first request's answer (see `idempotently`).
    func chat(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let body = try JSONBody(request: request)
        let chatRequest = try ChatRequest(body: body, maxMessageCharacters: configuration.maxMessageCharacters,
                                          authenticatedUser: request.authenticatedUser)
        let stream = chatRequest.stream || (request.header("accept")?.lowercased().contains("text/event-stream") ?? false)
        guard let key = try IdempotencyKey(request: request) else {
            return try answer(chatRequest.command, stream: stream, settle: { _ in })
        }
        return try idempotently(key, userId: chatRequest.command.userId, body: body, stream: stream) { settle throws(APIError) in
            try answer(chatRequest.command, stream: stream, settle: settle)
        }
    }

    /// The answer to a validated chat command: the engine starts it, then drives its run here (JSON) or inside the
    /// event stream. `settle` gets a streamed answer's final outcome, as a JSON request would have been answered.
    private func answer(_ command: ChatCommand, stream: Bool,
                        settle: @escaping (IdempotentResponse) -> Void) throws(APIError) -> HTTPResponse {
        let start: ChatStart
        do {
            start = try chat.start(command)
        } catch {
            throw APIError(error)
        }
        switch start {
        case .answered(let reply):
            return reply.httpResponse
        case .failedAfterCommit(let error):
            // Returned, not thrown: an idempotent request keeps it as its answer rather than giving its key back
            // for a retry that would store the message a second time.
            return HTTPResponse(error: APIError(error))
        case .run(let prepared):
            guard stream else { return prepared.drive(events: SilentEvents()).httpResponse }
            return .eventStream(pingIntervalMilliseconds: configuration.chat.pingIntervalMilliseconds) { events in
                _ = events.send(event: "run.created", data: .object(["runId": .string(prepared.runId),
                                                                     "threadId": .string(prepared.threadId)]))
                let reply = prepared.drive(events: EventStreamChatEvents(events))
                if reply.failure == nil {
                    _ = events.send(event: "run.completed", data: reply.json)
                }
                settle(reply.idempotentResponse)
            }
        }
    }
}
