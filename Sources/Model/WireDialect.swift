import JSON

/// One OpenAI wire dialect: where requests go, how their bodies look, and how answers are read,
/// whole or streamed. The retry, deadline and streaming logic around it is shared.
protocol WireDialect {
    /// Builds a `ModelResponse` from the events of one streamed answer.
    associatedtype Accumulator: StreamAccumulator
    /// The path under the base URL, e.g. `/responses`.
    static var path: String { get }
    /// The request body for `request` on `model`.
    static func body(_ request: ModelRequest, model: String) -> JSONValue
    /// Reads a whole (non-streamed) answer; `apiKey` is redacted from any message.
    static func response(from json: JSONValue, apiKey: String?) throws(ModelError) -> ModelResponse
}

/// Collects the server-sent events of one answer into a `ModelResponse`.
protocol StreamAccumulator {
    /// A fresh accumulator; `apiKey` is redacted from any message.
    init(apiKey: String?)
    /// Takes one event, passing text and tool-call progress to `emit`.
    mutating func consume(_ event: SSEEvent, emit: (ModelStreamEvent) throws(ModelError) -> Void) throws(ModelError)
    /// The complete response, once the stream ended.
    func finish() throws(ModelError) -> ModelResponse
}

/// The Responses API: `POST /responses`.
enum ResponsesDialect: WireDialect {
    typealias Accumulator = ResponsesStreamAccumulator
    static var path: String { "/responses" }
    static func body(_ request: ModelRequest, model: String) -> JSONValue { ResponsesRequestBody.make(request, model: model) }
    static func response(from json: JSONValue, apiKey: String?) throws(ModelError) -> ModelResponse {
        try ResponsesDecoding.response(from: json, apiKey: apiKey)
    }
}

/// Chat Completions: `POST /chat/completions`, what every OpenAI-compatible server speaks.
enum ChatCompletionsDialect: WireDialect {
    typealias Accumulator = ChatCompletionsStreamAccumulator
    static var path: String { "/chat/completions" }
    static func body(_ request: ModelRequest, model: String) -> JSONValue { ChatCompletionsRequestBody.make(request, model: model) }
    static func response(from json: JSONValue, apiKey: String?) throws(ModelError) -> ModelResponse {
        try ChatCompletionsDecoding.response(from: json, apiKey: apiKey)
    }
}

extension ResponsesStreamAccumulator: StreamAccumulator {}
extension ChatCompletionsStreamAccumulator: StreamAccumulator {}
