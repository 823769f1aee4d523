import JSON
@testable import Model
import Testing

@Suite("Stream accumulators")
struct StreamAccumulatorTests {
    private func ignore(_ event: ModelStreamEvent) throws(ModelError) {}

    @Test("a Responses error event with context_length_exceeded is contextTooLong")
    func responsesErrorEvent() {
        var accumulator = ResponsesStreamAccumulator(apiKey: nil)
        let event = SSEEvent(event: "error", data: #"{"type":"error","code":"context_length_exceeded","message":"Your input exceeds the context window of this model.","param":"input","sequence_number":1}"#)
        do {
            try accumulator.consume(event, emit: ignore)
            Issue.record("no error")
        } catch {
            #expect(error.code == .contextTooLong)
            #expect(error.message.hasPrefix("Your input exceeds"))
        }
    }

    @Test("response.failed carries the response's error; response.incomplete gives its reason")
    func responsesTerminalEvents() throws {
        var failed = ResponsesStreamAccumulator(apiKey: nil)
        let failure = SSEEvent(data: #"{"type":"response.failed","response":{"status":"failed","output":[],"error":{"code":"server_error","message":"boom"}}}"#)
        #expect(throws: ModelError.self) { try failed.consume(failure, emit: ignore) }
        var incomplete = ResponsesStreamAccumulator(apiKey: nil)
        try incomplete.consume(SSEEvent(data: #"{"type":"response.incomplete","response":{"status":"incomplete","output":[],"incomplete_details":{"reason":"max_output_tokens"}}}"#), emit: ignore)
        #expect(try incomplete.finish().status == .incomplete(reason: "max_output_tokens"))
    }

    @Test("Chat fragments keyed by index assemble parallel calls; an error chunk is reported")
    func chatFragments() throws {
        var accumulator = ChatCompletionsStreamAccumulator(apiKey: nil)
        let chunks = [
            #"{"choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"a","type":"function","function":{"name":"f","arguments":""}},{"index":1,"id":"b","type":"function","function":{"name":"g","arguments":"{"}}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"}"}},{"index":0,"function":{"arguments":"[]"}}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
            #"{"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":2}}"#,
            "[DONE]",
        ]
        var events: [ModelStreamEvent] = []
        for chunk in chunks {
            try accumulator.consume(SSEEvent(data: chunk)) { (event: ModelStreamEvent) throws(ModelError) in events.append(event) }
        }
        let response = try accumulator.finish()
        #expect(response.toolCalls == [ModelToolCall(callId: "a", name: "f", arguments: "[]"),
                                       ModelToolCall(callId: "b", name: "g", arguments: "{}")])
        #expect(response.usage == ModelUsage(inputTokens: 7, outputTokens: 2))
        #expect(events.first == .toolCallStarted(callId: "a", name: "f"))
        #expect(response.outputItems.count == 2)

        var failing = ChatCompletionsStreamAccumulator(apiKey: nil)
        #expect(throws: ModelError.self) {
            try failing.consume(SSEEvent(data: #"{"error":{"message":"Provider returned error","code":502}}"#), emit: ignore)
        }
        let cut = ChatCompletionsStreamAccumulator(apiKey: nil)
        #expect(throws: ModelError.self) { try cut.finish() }
    }
}
