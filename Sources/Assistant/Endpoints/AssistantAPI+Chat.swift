import HTTP

extension AssistantAPI {
    /// `POST /chat`: validates the body. The model loop is not part of this release, so a valid request
    /// is answered 503 `model_not_configured`; nothing is stored for it.
    func chat(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        _ = try ChatRequest(body: try JSONBody(request: request), maxMessageCharacters: configuration.maxMessageCharacters)
        throw APIError(status: 503, code: .modelNotConfigured,
                       message: "Chat is not available: no model provider is configured on this server.")
    }
}
