import JSON

/// Builds the JSON body of `POST /chat/completions` from a provider-neutral request.
enum ChatCompletionsRequestBody {
    static func make(_ request: ModelRequest, model: String) -> JSONValue {
        var messages: [JSONValue] = []
        if !request.instructions.isEmpty {
            messages.append(.object(["role": .string("system"), "content": .string(request.instructions)]))
        }
        messages += self.messages(neutralItems(request.items))
        var body: [String: JSONValue] = [
            "model": .string(model),
            "messages": .array(messages),
            "stream": .bool(request.stream),
        ]
        if request.stream { body["stream_options"] = .object(["include_usage": .bool(true)]) }
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map { tool in
                .object(["type": .string("function"), "function": .object([
                    "name": .string(tool.name), "description": .string(tool.description), "parameters": tool.parameters,
                ])])
            })
            body["parallel_tool_calls"] = .bool(true)
        }
        if let maxOutputTokens = request.maxOutputTokens {
            body["max_completion_tokens"] = .number(Double(maxOutputTokens))
        }
        return .object(body)
    }

    /// The history with Responses provider items turned into neutral ones: messages become text,
    /// `function_call`/`function_call_output` become calls and outputs, reasoning is dropped, and
    /// a call present both verbatim and as `.functionCall` is kept once.
    static func neutralItems(_ items: [ConversationItem]) -> [ConversationItem] {
        ConversationItem.withoutCallsCarriedVerbatim(items).compactMap { item in
            guard case .providerItem(let value) = item else { return item }
            return neutral(value)
        }
    }

    private static func neutral(_ value: JSONValue) -> ConversationItem? {
        switch value["type"]?.stringValue {
        case "message":
            let text: String
            if let plain = value["content"]?.stringValue {
                text = plain
            } else {
                text = (value["content"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined()
            }
            return value["role"]?.stringValue == "user" ? .userMessage(text) : .assistantMessage(text)
        case "function_call":
            guard let callId = value["call_id"]?.stringValue else { return nil }
            return .functionCall(callId: callId, name: value["name"]?.stringValue ?? "",
                                 arguments: value["arguments"]?.stringValue ?? "")
        case "function_call_output":
            guard let callId = value["call_id"]?.stringValue else { return nil }
            return .functionOutput(callId: callId, output: value["output"]?.stringValue ?? value["output"]?.serialized() ?? "")
        default:
            return nil
        }
    }

    /// Chat messages; consecutive calls of one turn (and the text before them) form one assistant
    /// message with `tool_calls`.
    static func messages(_ items: [ConversationItem]) -> [JSONValue] {
        var messages: [JSONValue] = []
        var pendingText: String?
        var pendingCalls: [JSONValue] = []
        var hasPending = false
        func flush() {
            guard hasPending else { return }
            var message: [String: JSONValue] = ["role": .string("assistant"),
                                                "content": pendingText.map { .string($0) } ?? .null]
            if !pendingCalls.isEmpty { message["tool_calls"] = .array(pendingCalls) }
            messages.append(.object(message))
            pendingText = nil
            pendingCalls = []
            hasPending = false
        }
        for item in items {
            switch item {
            case .userMessage(let text):
                flush()
                messages.append(.object(["role": .string("user"), "content": .string(text)]))
            case .assistantMessage(let text):
                flush()
                pendingText = text
                hasPending = true
            case .functionCall(let callId, let name, let arguments):
                hasPending = true
                pendingCalls.append(.object([
                    "id": .string(callId), "type": .string("function"),
                    "function": .object(["name": .string(name), "arguments": .string(arguments)]),
                ]))
            case .functionOutput(let callId, let output):
                flush()
                messages.append(.object(["role": .string("tool"), "tool_call_id": .string(callId), "content": .string(output)]))
            case .providerItem:
                break
            }
        }
        flush()
        return messages
    }
}
