import JSON
import Model
import TestSupport
import Testing

@Suite("Model clients against the fake provider", .serialized)
struct ModelClientTests {
    private static let shared = startFake()

    @Test("a plain text answer", arguments: bothStyles)
    func plainText(style: APIStyle) throws {
        let fake = try freshFake(Self.shared)
        try fake.script([json(#"{"text": "Hello there", "usage": {"input": 12, "output": 3}}"#)])
        let response = try makeClient(style, fake).respond(
            ModelRequest(instructions: "Be terse.", items: [.userMessage("hi")]), deadline: deadline()) { _ in true }
        #expect(response.text == "Hello there")
        #expect(response.toolCalls.isEmpty)
        #expect(response.status == .completed)
        #expect(response.usage == ModelUsage(inputTokens: 12, outputTokens: 3))
        let request = try #require(try fake.requests().first)
        #expect(request["headers"]?["User-Agent"]?.stringValue == "pgassist")
        #expect(request["headers"]?["Authorization"]?.stringValue?.hasSuffix("test") == true)
        if style == .responses {
            #expect(request["path"]?.stringValue == "/v1/responses")
            #expect(response.outputItems.count == 1)
            guard case .providerItem(let item) = response.outputItems[0] else { Issue.record("not verbatim"); return }
            #expect(item["type"]?.stringValue == "message")
        } else {
            #expect(request["path"]?.stringValue == "/v1/chat/completions")
            #expect(response.outputItems == [.assistantMessage("Hello there")])
        }
    }

    @Test("a tool call round trip sends tools, history and outputs in the dialect's shape", arguments: bothStyles)
    func toolRoundTrip(style: APIStyle) throws {
        let fake = try freshFake(Self.shared)
        try fake.script([
            json(#"{"toolCalls": [{"name": "list_tables", "arguments": "{}", "callId": "call_1"}]}"#),
            json(#"{"text": "You have 3 tables."}"#),
        ])
        let client = makeClient(style, fake)
        var items: [ConversationItem] = [.userMessage("What tables?")]
        let first = try client.respond(ModelRequest(instructions: "sys", items: items, tools: [listTablesTool]),
                                       deadline: deadline()) { _ in true }
        #expect(first.toolCalls == [ModelToolCall(callId: "call_1", name: "list_tables", arguments: "{}")])
        items += first.outputItems
        items.append(.functionOutput(callId: "call_1", output: #"{"tables":["a","b","c"]}"#))
        let second = try client.respond(ModelRequest(instructions: "sys", items: items, tools: [listTablesTool]),
                                        deadline: deadline()) { _ in true }
        #expect(second.text == "You have 3 tables.")

        let bodies = try sentBodies(fake)
        #expect(bodies.count == 2)
        if style == .responses {
            #expect(bodies[0]["store"] == .bool(false))
            #expect(bodies[0]["include"] == json(#"["reasoning.encrypted_content"]"#))
            #expect(bodies[0]["instructions"] == .string("sys"))
            #expect(bodies[0]["parallel_tool_calls"] == .bool(true))
            #expect(bodies[0]["tools"] == .array([json(#"""
                {"type":"function","name":"list_tables","description":"Lists the tables","strict":true,
                 "parameters":{"type":"object","properties":{},"required":[],"additionalProperties":false}}
                """#)]))
            let input = try #require(bodies[1]["input"]?.arrayValue)
            #expect(input.compactMap { $0["type"]?.stringValue } == ["message", "function_call", "function_call_output"])
            #expect(input[1]["call_id"] == .string("call_1"))
            #expect(input[2]["output"] == .string(#"{"tables":["a","b","c"]}"#))
        } else {
            #expect(bodies[0]["tools"] == .array([json(#"""
                {"type":"function","function":{"name":"list_tables","description":"Lists the tables",
                 "parameters":{"type":"object","properties":{},"required":[],"additionalProperties":false}}}
                """#)]))
            let messages = try #require(bodies[1]["messages"]?.arrayValue)
            #expect(messages.compactMap { $0["role"]?.stringValue } == ["system", "user", "assistant", "tool"])
            #expect(messages[2]["tool_calls"]?.arrayValue?.first?["id"] == .string("call_1"))
            #expect(messages[3]["tool_call_id"] == .string("call_1"))
        }
    }

    @Test("streaming delivers deltas in order and ends with the same response as without streaming",
          arguments: bothStyles)
    func streaming(style: APIStyle) throws {
        let fake = try freshFake(Self.shared)
        let text = "The quick brown fox jumps over the lazy dog."
        let step = json(#"{"text": "The quick brown fox jumps over the lazy dog.", "usage": {"input": 5, "output": 9}}"#)
        try fake.script([step, step])
        let client = makeClient(style, fake)
        let request = ModelRequest(instructions: "", items: [.userMessage("go")])
        let plain = try client.respond(request, deadline: deadline()) { _ in true }
        var streamed = request
        streamed.stream = true
        var deltas: [String] = []
        let response = try client.respond(streamed, deadline: deadline()) { event in
            if case .textDelta(let delta) = event { deltas.append(delta) }
            return true
        }
        #expect(deltas.count > 1)
        #expect(deltas.joined() == text)
        #expect(response.text == plain.text)
        #expect(response.toolCalls == plain.toolCalls)
        #expect(response.usage == plain.usage)
        #expect(response.status == plain.status)
        #expect(response.outputItems.count == plain.outputItems.count)
        if style == .chatCompletions { #expect(response.outputItems == plain.outputItems) }
        let bodies = try sentBodies(fake)
        #expect(bodies[1]["stream"] == .bool(true))
        if style == .chatCompletions {
            #expect(bodies[1]["stream_options"] == json(#"{"include_usage":true}"#))
        }
        let accept = try fake.requests()[1]["headers"]?["Accept"]?.stringValue
        #expect(accept == "text/event-stream")
    }

    @Test("streamed tool calls report start and argument deltas; invalid JSON arguments pass untouched",
          arguments: bothStyles)
    func streamedToolCall(style: APIStyle) throws {
        let fake = try freshFake(Self.shared)
        let broken = #"{"schema": "public", oops"#
        let step = JSONValue.object(["toolCalls": .array([.object([
            "name": .string("list_tables"), "arguments": .string(broken), "callId": .string("call_9"),
        ])])])
        try fake.script([step, step])
        let client = makeClient(style, fake)
        var request = ModelRequest(instructions: "", items: [.userMessage("go")], tools: [listTablesTool])
        let plain = try client.respond(request, deadline: deadline()) { _ in true }
        #expect(plain.toolCalls == [ModelToolCall(callId: "call_9", name: "list_tables", arguments: broken)])
        request.stream = true
        var started: [String] = []
        var arguments = ""
        let streamed = try client.respond(request, deadline: deadline()) { event in
            switch event {
            case .toolCallStarted(let callId, let name): started.append("\(callId):\(name)")
            case .toolCallArgumentsDelta(let callId, let delta):
                #expect(callId == "call_9")
                arguments += delta
            case .textDelta: break
            }
            return true
        }
        #expect(started == ["call_9:list_tables"])
        #expect(arguments == broken)
        #expect(streamed.toolCalls == plain.toolCalls)
    }

    @Test("a reasoning item is kept verbatim and replaying it passes the provider's check", arguments: [false, true])
    func reasoningReplay(stream: Bool) throws {
        let fake = try freshFake(Self.shared)
        try fake.script([
            json(#"{"reasoning": true, "toolCalls": [{"name": "list_tables", "arguments": "{}", "callId": "call_r"}]}"#),
            json(#"{"reasoning": true, "text": "Done."}"#),
        ])
        let client = makeClient(.responses, fake)
        var items: [ConversationItem] = [.userMessage("tables?")]
        let first = try client.respond(ModelRequest(instructions: "", items: items, tools: [listTablesTool], stream: stream),
                                       deadline: deadline()) { _ in true }
        let kinds = first.outputItems.compactMap { item -> String? in
            if case .providerItem(let value) = item { return value["type"]?.stringValue }
            return nil
        }
        #expect(kinds == ["reasoning", "function_call"])
        guard case .providerItem(let reasoning) = first.outputItems[0] else { return }
        #expect(reasoning["encrypted_content"]?.stringValue?.isEmpty == false)
        items += first.outputItems
        items.append(.functionOutput(callId: "call_r", output: "[]"))
        let second = try client.respond(ModelRequest(instructions: "", items: items, tools: [listTablesTool]),
                                        deadline: deadline()) { _ in true }
        #expect(second.text == "Done.")
        let input = try #require(try sentBodies(fake)[1]["input"]?.arrayValue)
        #expect(input[1] == reasoning)
    }

    @Test("a Responses history with reasoning items converts to Chat messages")
    func crossStyleHistory() throws {
        let fake = try freshFake(Self.shared)
        try fake.script([
            json(#"{"reasoning": true, "toolCalls": [{"name": "list_tables", "arguments": "{}", "callId": "call_x"}]}"#),
            json(#"{"text": "ok"}"#),
        ])
        var items: [ConversationItem] = [.userMessage("tables?")]
        items += try makeClient(.responses, fake).respond(
            ModelRequest(instructions: "", items: items, tools: [listTablesTool]), deadline: deadline()) { _ in true }.outputItems
        items.append(.functionOutput(callId: "call_x", output: "[]"))
        let answer = try makeClient(.chatCompletions, fake).respond(
            ModelRequest(instructions: "", items: items, tools: [listTablesTool]), deadline: deadline()) { _ in true }
        #expect(answer.text == "ok")
    }

    @Test("a Chat history (assistant text, calls, outputs) is accepted by the Responses API")
    func chatHistoryToResponses() throws {
        let fake = try freshFake(Self.shared)
        try fake.script([
            json(#"{"text": "Let me look.", "toolCalls": [{"name": "list_tables", "arguments": "{}", "callId": "call_c"}]}"#),
            json(#"{"text": "ok"}"#),
        ])
        var items: [ConversationItem] = [.userMessage("tables?")]
        let first = try makeClient(.chatCompletions, fake).respond(
            ModelRequest(instructions: "", items: items, tools: [listTablesTool]), deadline: deadline()) { _ in true }
        #expect(first.outputItems == [.assistantMessage("Let me look."),
                                      .functionCall(callId: "call_c", name: "list_tables", arguments: "{}")])
        items += first.outputItems
        items.append(.functionOutput(callId: "call_c", output: "[]"))
        let answer = try makeClient(.responses, fake).respond(
            ModelRequest(instructions: "", items: items, tools: [listTablesTool], maxOutputTokens: 1024),
            deadline: deadline()) { _ in true }
        #expect(answer.text == "ok")
        let chatMessages = try #require(try sentBodies(fake)[0]["messages"]?.arrayValue)
        #expect(chatMessages.count == 1)
        let sent = try sentBodies(fake)[1]
        #expect(sent["max_output_tokens"]?.intValue == 1024)
        #expect(sent.serialized().contains(#""max_output_tokens":1024,"#))
    }

    @Test("returning false from onEvent cancels the stream")
    func cancel() throws {
        let fake = try freshFake(Self.shared)
        try fake.script([json(#"{"text": "one two three four five six"}"#)])
        var request = ModelRequest(instructions: "", items: [.userMessage("go")])
        request.stream = true
        #expect {
            try makeClient(.responses, fake).respond(request, deadline: deadline()) { _ in false }
        } throws: { error in
            (error as? ModelError)?.code == .cancelled
        }
        #expect(try fake.requests().count == 1)
    }
}
