import JSON

/// Reads a Chat Completions answer (or the parts a stream accumulated) into a `ModelResponse`.
enum ChatCompletionsDecoding {
    static func response(from object: JSONValue, apiKey: String?) throws(ModelError) -> ModelResponse {
        if let error = object["error"], error != .null {
            throw ProviderErrorMapping.streamError(object, apiKey: apiKey)
        }
        guard let choice = object["choices"]?.arrayValue?.first, let message = choice["message"] else {
            throw ModelError(code: .invalidResponse, message: "the answer has no choices[0].message")
        }
        // A call without an id gets one by its position, as in a stream: calls sharing an id are refused.
        let calls = (message["tool_calls"]?.arrayValue ?? []).enumerated().map { index, call in
            ModelToolCall(callId: call["id"]?.stringValue ?? "call_\(index)", name: call["function"]?["name"]?.stringValue ?? "",
                          arguments: call["function"]?["arguments"]?.stringValue ?? "")
        }
        return make(text: message["content"]?.stringValue ?? "", toolCalls: calls,
                    finishReason: choice["finish_reason"]?.stringValue, usage: object["usage"])
    }

    static func make(text: String, toolCalls: [ModelToolCall], finishReason: String?, usage: JSONValue?) -> ModelResponse {
        var items: [ConversationItem] = []
        if !text.isEmpty { items.append(.assistantMessage(text)) }
        for call in toolCalls {
            items.append(.functionCall(callId: call.callId, name: call.name, arguments: call.arguments))
        }
        let status: ModelResponseStatus
        switch finishReason {
        case "length": status = .incomplete(reason: "max_output_tokens")
        case "content_filter": status = .incomplete(reason: "content_filter")
        default: status = .completed
        }
        return ModelResponse(outputItems: items, text: text, toolCalls: toolCalls,
                             usage: ModelUsage(inputTokens: usage?["prompt_tokens"]?.intValue ?? 0,
                                               outputTokens: usage?["completion_tokens"]?.intValue ?? 0),
                             status: status)
    }
}
