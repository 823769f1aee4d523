import JSON

/// Reads a Responses API `Response` object into a `ModelResponse`.
enum ResponsesDecoding {
    /// The response for `object`; `fallbackOutput` replaces an empty `output` (streams from some
    /// compatible servers only carry the items in `output_item.done` events).
    static func response(from object: JSONValue, fallbackOutput: [JSONValue] = [], apiKey: String?) throws(ModelError) -> ModelResponse {
        let status = object["status"]?.stringValue ?? "completed"
        if status == "failed" || status == "cancelled" {
            var error = ProviderErrorMapping.streamError(object["error"] ?? .null, apiKey: apiKey)
            if status == "cancelled" { error.message = "the provider cancelled the response" }
            throw error
        }
        guard let output = object["output"]?.arrayValue ?? (fallbackOutput.isEmpty ? nil : fallbackOutput) else {
            throw ModelError(code: .invalidResponse, message: "the response has no output")
        }
        let items = output.isEmpty ? fallbackOutput : output
        var text = ""
        var toolCalls: [ModelToolCall] = []
        for item in items {
            switch item["type"]?.stringValue {
            case "message":
                for part in item["content"]?.arrayValue ?? [] where part["type"]?.stringValue == "output_text" {
                    text += part["text"]?.stringValue ?? ""
                }
            case "function_call":
                toolCalls.append(ModelToolCall(callId: item["call_id"]?.stringValue ?? item["id"]?.stringValue ?? "",
                                               name: item["name"]?.stringValue ?? "",
                                               arguments: item["arguments"]?.stringValue ?? ""))
            default:
                break
            }
        }
        let usage = ModelUsage(inputTokens: object["usage"]?["input_tokens"]?.intValue ?? 0,
                               outputTokens: object["usage"]?["output_tokens"]?.intValue ?? 0)
        let finish: ModelResponseStatus = status == "incomplete"
            ? .incomplete(reason: object["incomplete_details"]?["reason"]?.stringValue ?? "unknown")
            : .completed
        return ModelResponse(outputItems: items.map { .providerItem($0) }, text: text, toolCalls: toolCalls,
                             usage: usage, status: finish)
    }
}
