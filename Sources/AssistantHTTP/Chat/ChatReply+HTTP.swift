import ChatEngine
import HTTP
import Store

extension ChatReply {
    /// The HTTP response of a non-streaming request: the body, or the failure's JSON error.
    var httpResponse: HTTPResponse {
        if let failure { return HTTPResponse(error: APIError(failure)) }
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: json.serializedBytes())
    }

    /// What an idempotent retry gets: the same status and body as a JSON request.
    var idempotentResponse: IdempotentResponse {
        let response = httpResponse
        return IdempotentResponse(status: response.status, body: String(decoding: response.body, as: UTF8.self))
    }
}
