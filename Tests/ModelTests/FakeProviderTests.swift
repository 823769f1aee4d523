import Foundation
import HTTPClient
import JSON
import TestSupport
import Testing

/// The fake model provider speaks the real wire formats and refuses what the real API refuses.
/// These tests talk raw HTTP to it, without any model client in between.
@Suite("Fake model provider", .serialized)
struct FakeProviderTests {
    /// One server for the whole suite (loading the OpenAPI description takes about 1.5 s).
    static let shared = Result { try FakeModelProvider() }

    let fake: FakeModelProvider

    init() throws {
        fake = try Self.shared.get()
        try fake.reset()
    }

    // MARK: - Responses API

    @Test("a Responses JSON answer carries the scripted text and usage")
    func responsesJSON() throws {
        try fake.script([step(#"{"text": "Hello", "usage": {"input": 10, "output": 5}}"#)])
        let response = try post("/responses", #"{"model": "gpt-5.4", "input": "Hi"}"#)
        #expect(response.status == 200)
        let body = try JSONValue.parse(response.body)
        #expect(body["object"]?.stringValue == "response")
        #expect(body["status"]?.stringValue == "completed")
        let message = body["output"]?.arrayValue?.first
        #expect(message?["type"]?.stringValue == "message")
        #expect(message?["content"]?.arrayValue?.first?["text"]?.stringValue == "Hello")
        #expect(body["usage"]?["input_tokens"]?.intValue == 10)
        #expect(body["usage"]?["output_tokens"]?.intValue == 5)
        #expect(body["usage"]?["total_tokens"]?.intValue == 15)
        #expect(response.header("x-request-id") != nil)
    }

    @Test("a Responses stream has event frames with sequence numbers and ends with response.completed")
    func responsesStream() throws {
        try fake.script([step(#"{"text": "Hi there", "toolCalls": [{"name": "list_tables", "arguments": "{\"schema\":\"public\"}", "callId": "call_1"}]}"#)])
        let response = try post("/responses", #"{"model": "gpt-5.4", "input": "Hi", "stream": true}"#)
        #expect(response.status == 200)
        #expect(response.header("content-type")?.hasPrefix("text/event-stream") == true)
        let frames = try sseFrames(response.text)
        #expect(!response.text.contains("[DONE]"))
        for (index, frame) in frames.enumerated() {
            #expect(frame.event != nil && frame.event == frame.data["type"]?.stringValue)
            #expect(frame.data["sequence_number"]?.intValue == index)
        }
        let types = frames.compactMap(\.event)
        #expect(types.first == "response.created")
        #expect(types.last == "response.completed")
        for expected in ["response.output_item.added", "response.output_text.delta", "response.output_text.done",
                         "response.function_call_arguments.delta", "response.function_call_arguments.done",
                         "response.output_item.done"] {
            #expect(types.contains(expected), "missing \(expected)")
        }
        let text = frames.filter { $0.event == "response.output_text.delta" }.compactMap { $0.data["delta"]?.stringValue }
        #expect(text.joined() == "Hi there")
        let arguments = frames.filter { $0.event == "response.function_call_arguments.delta" }
            .compactMap { $0.data["delta"]?.stringValue }
        #expect(arguments.joined() == #"{"schema":"public"}"#)
        let done = frames.first { $0.event == "response.function_call_arguments.done" }
        #expect(done?.data["name"]?.stringValue == "list_tables")
        let completed = frames.last?.data["response"]
        #expect(completed?["usage"]?["total_tokens"]?.intValue != nil)
        #expect(completed?["output"]?.arrayValue?.last?["call_id"]?.stringValue == "call_1")
    }

    @Test("a function_call without its output is refused")
    func missingToolOutput() throws {
        try fake.script([step(#"{"text": "unused"}"#)])
        let response = try post("/responses", #"""
            {"model": "gpt-5.4", "input": [
              {"type": "message", "role": "user", "content": "Tables?"},
              {"type": "function_call", "call_id": "call_a", "name": "list_tables", "arguments": "{}"},
              {"type": "function_call", "call_id": "call_b", "name": "list_tables", "arguments": "{}"},
              {"type": "function_call_output", "call_id": "call_a", "output": "[]"}]}
            """#)
        try expectError(response, 400, message: "No tool output found for function call call_b.", param: "input")
        // A refused request consumes no step.
        #expect(try post("/responses", #"{"model": "gpt-5.4", "input": "Hi"}"#).status == 200)
    }

    @Test("a function_call_output without its call is refused")
    func orphanToolOutput() throws {
        let response = try post("/responses", #"""
            {"model": "gpt-5.4", "input": [{"type": "function_call_output", "call_id": "call_x", "output": "[]"}]}
            """#)
        try expectError(response, 400, message: "No tool call found for function call output with call_id call_x.",
                        param: "input")
    }

    @Test("a call_id over 64 characters is refused")
    func longCallID() throws {
        let id = "call_" + String(repeating: "x", count: 60)
        let response = try post("/responses", #"""
            {"model": "gpt-5.4", "input": [
              {"type": "function_call", "call_id": "\#(id)", "name": "t", "arguments": "{}"},
              {"type": "function_call_output", "call_id": "\#(id)", "output": "[]"}]}
            """#)
        try expectError(response, 400, param: "input[0].call_id")
    }

    @Test("a strict tool whose schema leaves a property optional is refused")
    func strictSchema() throws {
        let response = try post("/responses", #"""
            {"model": "gpt-5.4", "input": "Hi", "tools": [{"type": "function", "name": "get_weather", "strict": true,
              "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string"}},
                             "required": ["city"], "additionalProperties": false}}]}
            """#)
        try expectError(response, 400, param: "tools[0].parameters")
        #expect(try errorMessage(response).contains("Missing 'unit'"))
    }

    @Test("a Chat-shaped tool sent to the Responses API is refused")
    func nestedToolOnResponses() throws {
        let response = try post("/responses", #"""
            {"model": "gpt-5.4", "input": "Hi", "tools": [{"type": "function",
              "function": {"name": "t", "parameters": {"type": "object", "properties": {}}}}]}
            """#)
        #expect(response.status == 400)
    }

    @Test("max_output_tokens below 16 is refused")
    func tinyMaxOutputTokens() throws {
        let response = try post("/responses", #"{"model": "gpt-5.4", "input": "Hi", "max_output_tokens": 5}"#)
        try expectError(response, 400, param: "max_output_tokens")
    }

    @Test("a request without a model is refused")
    func missingModel() throws {
        try expectError(try post("/responses", #"{"input": "Hi"}"#), 400, message: "you must provide a model parameter")
        try expectError(try post("/chat/completions", #"{"messages": [{"role": "user", "content": "Hi"}]}"#), 400,
                        message: "you must provide a model parameter")
    }

    @Test("a reasoning model's call replayed without its reasoning item is refused")
    func reasoningReplay() throws {
        try fake.script([step(#"{"reasoning": true, "toolCalls": [{"name": "list_tables", "arguments": "{}", "callId": "call_r"}]}"#),
                         step(#"{"text": "done"}"#)])
        let first = try JSONValue.parse(try post("/responses", #"""
            {"model": "gpt-5.4", "input": "Tables?", "store": false, "include": ["reasoning.encrypted_content"]}
            """#).body)
        let output = try #require(first["output"]?.arrayValue)
        let reasoning = try #require(output.first { $0["type"]?.stringValue == "reasoning" })
        #expect(reasoning["encrypted_content"]?.stringValue?.isEmpty == false)
        let call = try #require(output.first { $0["type"]?.stringValue == "function_call" })
        let result = JSONValue.object(["type": .string("function_call_output"), "call_id": .string("call_r"),
                                       "output": .string("[]")])
        func next(_ items: [JSONValue]) throws -> HTTPClientResponse {
            let body = JSONValue.object(["model": .string("gpt-5.4"), "store": .bool(false),
                                         "include": .array([.string("reasoning.encrypted_content")]),
                                         "input": .array(items)])
            return try post("/responses", body.serialized())
        }
        let refused = try next([call, result])
        let fcID = call["id"]?.stringValue ?? "", rsID = reasoning["id"]?.stringValue ?? ""
        try expectError(refused, 400, message: "Item '\(fcID)' of type 'function_call' was provided without its required 'reasoning' item: '\(rsID)'.")
        #expect(try next([reasoning, call, result]).status == 200)
    }

    // MARK: - Chat Completions

    @Test("a Chat JSON answer carries tool calls and finish_reason tool_calls")
    func chatJSON() throws {
        try fake.script([step(#"{"toolCalls": [{"name": "list_tables", "arguments": "not json", "callId": "call_c"}]}"#)])
        let response = try post("/chat/completions", #"{"model": "gpt-5.4", "messages": [{"role": "user", "content": "Hi"}]}"#)
        #expect(response.status == 200)
        let body = try JSONValue.parse(response.body)
        #expect(body["object"]?.stringValue == "chat.completion")
        let choice = body["choices"]?.arrayValue?.first
        #expect(choice?["finish_reason"]?.stringValue == "tool_calls")
        let call = choice?["message"]?["tool_calls"]?.arrayValue?.first
        #expect(call?["id"]?.stringValue == "call_c")
        #expect(call?["function"]?["arguments"]?.stringValue == "not json")
        #expect(body["usage"]?["total_tokens"]?.intValue != nil)
    }

    @Test("a Chat stream has data-only chunks, indexed tool-call fragments, a usage chunk and [DONE]")
    func chatStream() throws {
        try fake.script([step(#"{"text": "Let me look", "toolCalls": [{"name": "list_tables", "arguments": "{\"schema\":\"public\"}"}]}"#)])
        let response = try post("/chat/completions", #"""
            {"model": "gpt-5.4", "stream": true, "stream_options": {"include_usage": true},
             "messages": [{"role": "user", "content": "Hi"}]}
            """#)
        #expect(response.status == 200)
        #expect(!response.text.contains("event:"))
        #expect(response.text.hasSuffix("data: [DONE]\n\n"))
        let chunks = try sseFrames(response.text).map(\.data)
        #expect(chunks.allSatisfy { $0["object"]?.stringValue == "chat.completion.chunk" })
        let deltas = chunks.compactMap { $0["choices"]?.arrayValue?.first?["delta"] }
        #expect(deltas.compactMap { $0["content"]?.stringValue }.joined() == "Let me look")
        let fragments = deltas.compactMap { $0["tool_calls"]?.arrayValue?.first }
        #expect(fragments.first?["id"]?.stringValue?.hasPrefix("call_") == true)
        #expect(fragments.first?["function"]?["name"]?.stringValue == "list_tables")
        #expect(fragments.dropFirst().allSatisfy { $0["id"] == nil && $0["type"] == nil && $0["function"]?["name"] == nil })
        #expect(fragments.allSatisfy { $0["index"]?.intValue == 0 })
        #expect(fragments.compactMap { $0["function"]?["arguments"]?.stringValue }.joined() == #"{"schema":"public"}"#)
        let finish = chunks.compactMap { $0["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue }
        #expect(finish == ["tool_calls"])
        #expect(chunks.last?["choices"]?.arrayValue?.isEmpty == true)
        #expect(chunks.last?["usage"]?["total_tokens"]?.intValue != nil)
    }

    @Test("an assistant tool_calls message without a tool message for every id is refused")
    func chatMissingToolMessage() throws {
        let response = try post("/chat/completions", #"""
            {"model": "gpt-5.4", "messages": [{"role": "user", "content": "Hi"},
              {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "t", "arguments": "{}"}},
                {"id": "call_2", "type": "function", "function": {"name": "t", "arguments": "{}"}}]},
              {"role": "tool", "tool_call_id": "call_1", "content": "[]"},
              {"role": "user", "content": "and?"}]}
            """#)
        try expectError(response, 400, message: "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: call_2")
    }

    @Test("a tool message that answers no call is refused")
    func chatOrphanToolMessage() throws {
        let response = try post("/chat/completions", #"""
            {"model": "gpt-5.4", "messages": [{"role": "user", "content": "Hi"},
              {"role": "tool", "tool_call_id": "call_9", "content": "[]"}]}
            """#)
        try expectError(response, 400, message: "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
                        param: "messages.[1].role")
    }

    @Test("a flat Responses-style tool sent to Chat Completions is refused")
    func flatToolOnChat() throws {
        let response = try post("/chat/completions", #"""
            {"model": "gpt-5.4", "messages": [{"role": "user", "content": "Hi"}],
             "tools": [{"type": "function", "name": "t", "parameters": {"type": "object", "properties": {}}}]}
            """#)
        #expect(response.status == 400)
    }

    // MARK: - Auth, scripted errors, control API

    @Test("a wrong key gets 401 with the error envelope")
    func wrongKey() throws {
        let response = try post("/responses", #"{"model": "gpt-5.4", "input": "Hi"}"#, key: "sk-wrong-key")
        try expectError(response, 401)
        let error = try JSONValue.parse(response.body)["error"]
        #expect(error?["code"]?.stringValue == "invalid_api_key")
        #expect(error?["type"]?.stringValue == "invalid_request_error")
        #expect(error?.objectValue?.keys.sorted() == ["code", "message", "param", "type"])
    }

    @Test("a scripted 429 carries its retry headers and a rate-limit envelope")
    func scripted429() throws {
        try fake.script([step(#"{"error": {"status": 429, "headers": {"retry-after-ms": "10", "retry-after": "1"}}}"#),
                         step(#"{"text": "ok"}"#)])
        let limited = try post("/chat/completions", #"{"model": "gpt-5.4", "messages": [{"role": "user", "content": "Hi"}]}"#)
        try expectError(limited, 429)
        #expect(limited.header("retry-after-ms") == "10")
        #expect(limited.header("retry-after") == "1")
        #expect(try JSONValue.parse(limited.body)["error"]?["code"]?.stringValue == "rate_limit_exceeded")
        let retried = try post("/chat/completions", #"{"model": "gpt-5.4", "messages": [{"role": "user", "content": "Hi"}]}"#)
        #expect(retried.status == 200)
    }

    @Test("an empty script answers 500 so that a test notices")
    func emptyQueue() throws {
        let response = try post("/responses", #"{"model": "gpt-5.4", "input": "Hi"}"#)
        try expectError(response, 500, message: "no scripted step")
    }

    @Test("a stream cut after some events ends the transfer with an error")
    func cutStream() throws {
        try fake.script([step(#"{"text": "a long answer", "cutStreamAfterEvents": 3}"#)])
        #expect(throws: HTTPClientError.self) {
            _ = try post("/responses", #"{"model": "gpt-5.4", "input": "Hi", "stream": true}"#)
        }
    }

    @Test("/__requests records method, path, masked key and parsed body")
    func recordedRequests() throws {
        try fake.script([step(#"{"text": "ok"}"#)])
        _ = try post("/responses", #"{"model": "gpt-5.4", "input": "Hi"}"#)
        let recorded = try fake.requests()
        #expect(recorded.count == 1)
        let request = try #require(recorded.first)
        #expect(request["method"]?.stringValue == "POST")
        #expect(request["path"]?.stringValue == "/v1/responses")
        #expect(request["body"]?["input"]?.stringValue == "Hi")
        let headers = request["headers"]?.objectValue ?? [:]
        let authorization = headers.first { $0.key.lowercased() == "authorization" }?.value.stringValue
        #expect(authorization?.hasSuffix("test") == true)
        #expect(authorization?.contains("sk-test") == false)
        try fake.reset()
        #expect(try fake.requests().isEmpty)
    }

    @Test("a body invalid per the OpenAPI description is refused", .enabled(if: openAPIAvailable))
    func openAPIValidation() throws {
        let response = try post("/responses", #"{"model": "gpt-5.4", "input": "Hi", "temperature": "hot"}"#)
        try expectError(response, 400, param: "temperature")
        #expect(fake.log.contains("OpenAPI validation on"))
    }

    // MARK: - Helpers

    private func step(_ json: String) throws -> JSONValue { try JSONValue.parse(json) }

    private func post(_ path: String, _ body: String, key: String = "sk-test") throws -> HTTPClientResponse {
        let request = HTTPClientRequest(method: "POST", url: fake.baseURL + path,
                                        headers: [(name: "Content-Type", value: "application/json"),
                                                  (name: "Authorization", value: "Bearer \(key)")],
                                        body: Array(body.utf8), timeoutMilliseconds: 10_000)
        return try HTTPClient().send(request)
    }

    private func errorMessage(_ response: HTTPClientResponse) throws -> String {
        try JSONValue.parse(response.body)["error"]?["message"]?.stringValue ?? ""
    }

    /// Checks the status and the envelope `{"error": {message, type, param, code}}`.
    private func expectError(_ response: HTTPClientResponse, _ status: Int, message: String? = nil,
                             param: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(response.status == status, "\(response.text)", sourceLocation: sourceLocation)
        let error = try #require(try JSONValue.parse(response.body)["error"], sourceLocation: sourceLocation)
        for field in ["message", "type", "param", "code"] {
            #expect(error[field] != nil, "missing error.\(field)", sourceLocation: sourceLocation)
        }
        if let message { #expect(error["message"]?.stringValue == message, sourceLocation: sourceLocation) }
        if let param { #expect(error["param"]?.stringValue == param, sourceLocation: sourceLocation) }
    }

    /// Splits an SSE body into frames: the `event:` line (if any) and the parsed `data:` JSON;
    /// the `[DONE]` sentinel is dropped.
    private func sseFrames(_ text: String) throws -> [(event: String?, data: JSONValue)] {
        var frames: [(event: String?, data: JSONValue)] = []
        for block in text.components(separatedBy: "\n\n") where !block.isEmpty {
            var event: String?
            var data = ""
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data += line.dropFirst(6) }
            }
            if data == "[DONE]" { continue }
            frames.append((event, try JSONValue.parse(data)))
        }
        return frames
    }
}

/// Whether the shared folder has the OpenAPI description (and Python can read it).
private let openAPIAvailable: Bool = {
    guard let shared = TestEnvironment.sharedFolder,
          FileManager.default.fileExists(atPath: "\(shared)/openai/openapi.yaml") else { return false }
    return (try? Command.run(["python3", "-c", "import yaml, jsonschema"]).status) == 0
}()
