import JSON
@testable import Model
import Testing

@Suite("Request bodies")
struct RequestBodyTests {
    @Test("Chat groups one turn's calls into one assistant message and converts Responses items")
    func chatGrouping() throws {
        let reasoning = JSONValue.object(["type": .string("reasoning"), "id": .string("rs_1"), "summary": .array([])])
        let keptCall = JSONValue.object(["type": .string("function_call"), "id": .string("fc_1"), "call_id": .string("c1"),
                                         "name": .string("list_tables"), "arguments": .string("{}")])
        let items: [ConversationItem] = [
            .userMessage("hi"), .providerItem(reasoning), .providerItem(keptCall),
            .functionCall(callId: "c1", name: "list_tables", arguments: "{}"),
            .functionCall(callId: "c2", name: "get_schema", arguments: "{\"x\":1}"),
            .functionOutput(callId: "c1", output: "a"), .functionOutput(callId: "c2", output: "b"),
            .assistantMessage("done"),
        ]
        let body = ChatCompletionsRequestBody.make(ModelRequest(model: "m", instructions: "sys", items: items), model: "m")
        let messages = try #require(body["messages"]?.arrayValue)
        #expect(messages.map { $0["role"]?.stringValue ?? "" } == ["system", "user", "assistant", "tool", "tool", "assistant"])
        #expect(messages[2]["content"] == .null)
        #expect(messages[2]["tool_calls"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["c1", "c2"])
        #expect(messages[3]["tool_call_id"] == .string("c1"))
        #expect(body["tools"] == nil && body["parallel_tool_calls"] == nil)
    }

    @Test("Responses skips a functionCall that a kept provider item already carries")
    func responsesDedup() {
        let keptCall = JSONValue.object(["type": .string("function_call"), "call_id": .string("c1"),
                                         "name": .string("t"), "arguments": .string("{}")])
        let input = ResponsesRequestBody.input([
            .providerItem(keptCall), .functionCall(callId: "c1", name: "t", arguments: "{}"),
            .functionOutput(callId: "c1", output: "x"),
        ])
        #expect(input.count == 2)
        #expect(input[0] == keptCall)
    }

    @Test("calls that repeat an id each keep their place beside their own output, in both styles")
    func repeatedCallIds() throws {
        let keptCall = JSONValue.object(["type": .string("function_call"), "call_id": .string("c1"),
                                         "name": .string("t"), "arguments": .string("{}")])
        let keptRepeat = JSONValue.object(["type": .string("function_call"), "call_id": .string("c1"),
                                           "name": .string("u"), "arguments": .string("{}")])
        let outputs: [ConversationItem] = [.functionOutput(callId: "c1", output: "x"), .functionOutput(callId: "c1", output: "dup")]
        // Responses: the verbatim items carry both calls; the neutral copies are not sent again.
        let verbatim: [ConversationItem] = [.providerItem(keptCall), .providerItem(keptRepeat),
                                            .functionCall(callId: "c1", name: "t", arguments: "{}"),
                                            .functionCall(callId: "c1", name: "u", arguments: "{}")] + outputs
        let input = ResponsesRequestBody.input(verbatim)
        #expect(input.map { $0["type"]?.stringValue ?? "" } == ["function_call", "function_call", "function_call_output",
                                                                 "function_call_output"])
        // Chat Completions: both calls in the assistant message, then a tool message for each.
        for items in [verbatim, [.functionCall(callId: "c1", name: "t", arguments: "{}"),
                                 .functionCall(callId: "c1", name: "u", arguments: "{}")] + outputs] {
            let body = ChatCompletionsRequestBody.make(ModelRequest(model: "m", instructions: "", items: [.userMessage("hi")] + items),
                                                       model: "m")
            let messages = try #require(body["messages"]?.arrayValue)
            #expect(messages.map { $0["role"]?.stringValue ?? "" } == ["user", "assistant", "tool", "tool"])
            #expect(messages[1]["tool_calls"]?.arrayValue?.compactMap { $0["function"]?["name"]?.stringValue } == ["t", "u"])
        }
        // A model that reuses an id in a later answer without kept items: that call is sent too.
        let reused = ResponsesRequestBody.input([.providerItem(keptCall), .functionCall(callId: "c1", name: "t", arguments: "{}"),
                                                 .functionOutput(callId: "c1", output: "x"), .userMessage("again"),
                                                 .functionCall(callId: "c1", name: "t", arguments: "{}"),
                                                 .functionOutput(callId: "c1", output: "y")])
        #expect(reused.filter { $0["type"]?.stringValue == "function_call" }.count == 2)
    }

    @Test("error envelopes: string, integer and null codes; the key is redacted")
    func envelopes() {
        let context = ProviderErrorMapping.error(
            status: 400, body: Array(#"{"error":{"message":"too long","type":"invalid_request_error","param":"input","code":"context_length_exceeded"}}"#.utf8),
            retryAfterMilliseconds: nil, apiKey: nil)
        #expect(context.code == .contextTooLong)
        let openRouter = ProviderErrorMapping.error(
            status: 502, body: Array(#"{"error":{"message":"Provider returned error","code":502,"metadata":{}}}"#.utf8),
            retryAfterMilliseconds: nil, apiKey: nil)
        #expect(openRouter.code == .providerError && openRouter.message == "Provider returned error")
        let auth = ProviderErrorMapping.error(
            status: 401, body: Array(#"{"error":{"message":"Incorrect API key provided: sk-secret-123","code":null}}"#.utf8),
            retryAfterMilliseconds: 1500, apiKey: "sk-secret-123")
        #expect(auth.code == .authFailed && !auth.message.contains("sk-secret-123") && auth.retryAfterSeconds == 2)
        let html = ProviderErrorMapping.error(status: 503, body: Array("<html>busy</html>".utf8),
                                              retryAfterMilliseconds: nil, apiKey: nil)
        #expect(html.code == .providerError && html.message == "the provider answered HTTP 503")
    }
}
