import JSON

/// Follows a Responses API event stream: passes deltas on and builds the final response.
struct ResponsesStreamAccumulator {
    let apiKey: String?
    private var doneItems: [Int: JSONValue] = [:]
    private var callIdsByItemId: [String: String] = [:]
    private var final: ModelResponse?

    init(apiKey: String?) { self.apiKey = apiKey }

    /// Handles one event; `emit` throws to cancel.
    mutating func consume(_ event: SSEEvent, emit: (ModelStreamEvent) throws(ModelError) -> Void) throws(ModelError) {
        guard final == nil else { return }
        guard event.data != "[DONE]" else { return }
        guard let payload = try? JSONValue.parse(event.data) else {
            throw ModelError(code: .invalidResponse, message: "a stream event is not JSON")
        }
        switch payload["type"]?.stringValue ?? event.event {
        case "response.output_text.delta":
            if let delta = payload["delta"]?.stringValue, !delta.isEmpty { try emit(.textDelta(delta)) }
        case "response.output_item.added":
            if let item = payload["item"], item["type"]?.stringValue == "function_call" {
                let callId = item["call_id"]?.stringValue ?? item["id"]?.stringValue ?? ""
                if let itemId = item["id"]?.stringValue { callIdsByItemId[itemId] = callId }
                try emit(.toolCallStarted(callId: callId, name: item["name"]?.stringValue ?? ""))
            }
        case "response.function_call_arguments.delta":
            if let delta = payload["delta"]?.stringValue, !delta.isEmpty {
                let itemId = payload["item_id"]?.stringValue ?? ""
                try emit(.toolCallArgumentsDelta(callId: callIdsByItemId[itemId] ?? itemId, delta: delta))
            }
        case "response.output_item.done":
            if let item = payload["item"] {
                doneItems[payload["output_index"]?.intValue ?? doneItems.count] = item
            }
        case "response.completed", "response.incomplete", "response.failed":
            let output = doneItems.keys.sorted().compactMap { doneItems[$0] }
            final = try ResponsesDecoding.response(from: payload["response"] ?? .object([:]), fallbackOutput: output,
                                                   apiKey: apiKey)
        case "error":
            throw ProviderErrorMapping.streamError(payload, apiKey: apiKey)
        default:
            break
        }
    }

    /// The final response, or `.streamInterrupted` when the stream ended before a terminal event.
    func finish() throws(ModelError) -> ModelResponse {
        guard let final else {
            throw ModelError(code: .streamInterrupted, message: "the stream ended before response.completed")
        }
        return final
    }
}
