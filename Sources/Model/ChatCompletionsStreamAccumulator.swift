import JSON

/// Follows a Chat Completions chunk stream: passes deltas on and assembles text and tool calls
/// (fragments keyed by `index`; id and name come only in the first fragment).
struct ChatCompletionsStreamAccumulator {
    let apiKey: String?
    private var text = ""
    private var calls: [Int: ModelToolCall] = [:]
    private var finishReason: String?
    private var usage: JSONValue?
    private var done = false

    init(apiKey: String?) { self.apiKey = apiKey }

    /// Handles one event; `emit` throws to cancel.
    mutating func consume(_ event: SSEEvent, emit: (ModelStreamEvent) throws(ModelError) -> Void) throws(ModelError) {
        guard !done else { return }
        if event.data == "[DONE]" {
            done = true
            return
        }
        guard let chunk = try? JSONValue.parse(event.data) else {
            throw ModelError(code: .invalidResponse, message: "a stream chunk is not JSON")
        }
        if let error = chunk["error"], error != .null {
            throw ProviderErrorMapping.streamError(chunk, apiKey: apiKey)
        }
        if let chunkUsage = chunk["usage"], chunkUsage != .null { usage = chunkUsage }
        guard let choice = chunk["choices"]?.arrayValue?.first else { return }
        if let reason = choice["finish_reason"]?.stringValue { finishReason = reason }
        guard let delta = choice["delta"] else { return }
        if let content = delta["content"]?.stringValue, !content.isEmpty {
            text += content
            try emit(.textDelta(content))
        }
        for (position, fragment) in (delta["tool_calls"]?.arrayValue ?? []).enumerated() {
            let index = fragment["index"]?.intValue ?? position
            let function = fragment["function"]
            if calls[index] == nil {
                let call = ModelToolCall(callId: fragment["id"]?.stringValue ?? "call_\(index)",
                                         name: function?["name"]?.stringValue ?? "", arguments: "")
                calls[index] = call
                try emit(.toolCallStarted(callId: call.callId, name: call.name))
            }
            if let arguments = function?["arguments"]?.stringValue, !arguments.isEmpty, let callId = calls[index]?.callId {
                calls[index]?.arguments += arguments
                try emit(.toolCallArgumentsDelta(callId: callId, delta: arguments))
            }
        }
    }

    /// The final response; `.streamInterrupted` when neither `[DONE]` nor a finish reason came.
    func finish() throws(ModelError) -> ModelResponse {
        guard done || finishReason != nil else {
            throw ModelError(code: .streamInterrupted, message: "the stream ended before [DONE]")
        }
        return ChatCompletionsDecoding.make(text: text, toolCalls: calls.keys.sorted().compactMap { calls[$0] },
                                            finishReason: finishReason, usage: usage)
    }
}
