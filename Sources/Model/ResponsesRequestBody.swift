import JSON

/// Builds the JSON body of `POST /responses` from a provider-neutral request.
enum ResponsesRequestBody {
    static func make(_ request: ModelRequest, model: String) -> JSONValue {
        var body: [String: JSONValue] = [
            "model": .string(model),
            "input": .array(input(request.items)),
            "store": .bool(false),
            "include": .array([.string("reasoning.encrypted_content")]),
            "stream": .bool(request.stream),
        ]
        if !request.instructions.isEmpty { body["instructions"] = .string(request.instructions) }
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map { tool in
                .object([
                    "type": .string("function"), "name": .string(tool.name), "description": .string(tool.description),
                    "parameters": tool.parameters, "strict": .bool(true),
                ])
            })
            body["parallel_tool_calls"] = .bool(true)
        }
        if let maxOutputTokens = request.maxOutputTokens {
            body["max_output_tokens"] = .number(Double(max(maxOutputTokens, 16)))
        }
        return .object(body)
    }

    /// The `input` items; a `.functionCall` is skipped when a kept provider item already carries
    /// the same call (sending it twice would be a duplicate).
    static func input(_ items: [ConversationItem]) -> [JSONValue] {
        ConversationItem.withoutCallsCarriedVerbatim(items).map { item -> JSONValue in
            switch item {
            case .userMessage(let text):
                .object(["type": .string("message"), "role": .string("user"), "content": .string(text)])
            case .assistantMessage(let text):
                .object(["type": .string("message"), "role": .string("assistant"), "content": .string(text)])
            case .functionCall(let callId, let name, let arguments):
                .object([
                    "type": .string("function_call"), "call_id": .string(callId), "name": .string(name),
                    "arguments": .string(arguments),
                ])
            case .functionOutput(let callId, let output):
                .object(["type": .string("function_call_output"), "call_id": .string(callId), "output": .string(output)])
            case .providerItem(let value):
                value
            }
        }
    }
}
