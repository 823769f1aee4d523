@testable import ChatEngine
import JSON
import Model
@testable import Operations
@testable import Policies
@testable import Store
import Testing

/// The history the model is sent: results beside their calls, trimming by whole turns.
@Suite("Chat history")
struct ChatHistoryTests {
    private var seq: Int64 = 0

    private mutating func message(_ role: String, _ content: String? = nil, calls: [StoredToolCall] = [],
                                  answering callId: String? = nil, result: String? = nil) -> MessageRecord {
        seq += 1
        return MessageRecord(id: "msg_\(seq)", seq: seq, role: role, content: content,
                             toolCalls: calls.isEmpty ? nil : StoredToolCall.encode(calls), toolCallId: callId,
                             toolResult: result, runId: "run_1", createdAt: 0, toolName: callId == nil ? nil : "list_tables")
    }

    @Test("a result stored after a later user message is placed right after its call")
    mutating func resultFollowsCall() {
        let call = StoredToolCall(id: "call_1", name: "list_tables", arguments: "{}")
        let messages = [message("user", "hi"), message("assistant", "", calls: [call]),
                        message("user", "again"), message("tool", answering: "call_1", result: #"{"success":false}"#)]
        let history = ChatHistory(messages: messages, tokenBudget: 100_000, view: ModelView(sharing: .data))
        guard history.items.count == 4 else {
            Issue.record("expected 4 items, got \(history.items)")
            return
        }
        #expect(history.items[0] == .userMessage("hi"))
        #expect(history.items[1] == .functionCall(callId: "call_1", name: "list_tables", arguments: "{}"))
        guard case .functionOutput(let id, let output) = history.items[2] else {
            Issue.record("expected the output third, got \(history.items[2])")
            return
        }
        #expect(id == "call_1")
        #expect(output.contains("Untrusted data"))
        #expect((try? JSONValue.parse(output))?["result"]?["success"]?.boolValue == false)
        #expect(history.items[3] == .userMessage("again"))
    }

    @Test("trimming drops whole turns, oldest first, and always keeps the newest")
    mutating func trimsTurns() {
        let big = String(repeating: "x", count: 4_000)  // about 1000 tokens
        let call = StoredToolCall(id: "call_9", name: "list_tables", arguments: "{}")
        var messages = [message("user", big), message("assistant", big)]
        messages += [message("user", "second"), message("assistant", "", calls: [call]),
                     message("tool", answering: "call_9", result: "{}"), message("assistant", "done")]
        messages += [message("user", big + "newest")]
        let history = ChatHistory(messages: messages, tokenBudget: 1_500, view: ModelView(sharing: .data))
        #expect(history.droppedTurns == 1)
        #expect(history.items.first == .userMessage("second"))
        #expect(history.items.contains(.functionCall(callId: "call_9", name: "list_tables", arguments: "{}")))
        #expect(history.items.contains { if case .functionOutput("call_9", _) = $0 { true } else { false } })
        #expect(history.items.last == .userMessage(big + "newest"))

        let tiny = ChatHistory(messages: messages, tokenBudget: 10, view: ModelView(sharing: .data))
        #expect(tiny.items == [.userMessage(big + "newest")], "the newest turn stays even over the budget")
    }

    @Test("a window that starts mid-turn begins at its first user message")
    mutating func startsAtUser() {
        let call = StoredToolCall(id: "call_2", name: "run_sql", arguments: "{}")
        let messages = [message("assistant", "", calls: [call]), message("tool", answering: "call_2", result: "{}"),
                        message("user", "hello")]
        #expect(ChatHistory(messages: messages, tokenBudget: 10_000, view: ModelView(sharing: .data)).items == [.userMessage("hello")])
    }

    @Test("calls without a result anywhere are found; answered ones are not")
    mutating func unanswered() {
        let answered = StoredToolCall(id: "call_a", name: "list_tables", arguments: "{}")
        let open = StoredToolCall(id: "call_b", name: "drop_table", arguments: #"{"table":"t"}"#)
        let messages = [message("user", "x"), message("assistant", nil, calls: [answered, open]),
                        message("tool", answering: "call_a", result: "{}")]
        #expect(ChatHistory.unansweredCalls(in: messages) == [open])
    }

    @Test("a repeated id in one answer and an id reused in a later answer: each call gets its own result, in order")
    mutating func repeatedIds() {
        let first = StoredToolCall(id: "call_x", name: "run_sql", arguments: #"{"query":"select 1"}"#)
        let repeated = StoredToolCall(id: "call_x", name: "drop_table", arguments: #"{"table":"t"}"#)
        let later = StoredToolCall(id: "call_x", name: "list_tables", arguments: "{}")
        let messages = [message("user", "one"), message("assistant", nil, calls: [first, repeated]),
                        message("tool", answering: "call_x", result: #"{"ran":"first"}"#),
                        message("tool", answering: "call_x", result: #"{"ran":"duplicate_call_id"}"#),
                        message("user", "two"), message("assistant", nil, calls: [later])]
        #expect(ChatHistory.unansweredCalls(in: messages) == [later], "the later answer's call has no result yet")
        let outputs = ChatHistory(messages: messages, tokenBudget: 100_000, view: ModelView(sharing: .data)).items.compactMap { item -> String? in
            guard case .functionOutput(let id, let output) = item else { return nil }
            return id == "call_x" ? output : nil
        }
        #expect(outputs.count == 2, "\(outputs)")
        #expect(outputs.first?.contains(#""ran":"first""#) == true, "\(outputs)")
        #expect(outputs.last?.contains("duplicate_call_id") == true, "\(outputs)")

        // The first call of the id still open: it, not the repeat, is what is unanswered first.
        let open = [message("user", "one"), message("assistant", nil, calls: [first, repeated])]
        #expect(ChatHistory.unansweredCalls(in: open) == [first, repeated])
    }

    @Test("kept provider items replace the text and calls of an assistant message")
    mutating func providerItems() {
        seq += 1
        let reasoning = JSONValue.object(["type": .string("reasoning"), "id": .string("rs_1"),
                                          "encrypted_content": .string("opaque")])
        let assistant = MessageRecord(id: "m", seq: 2, role: "assistant", content: "hi", toolCalls: nil, toolCallId: nil,
                                      toolResult: nil, runId: nil, createdAt: 0,
                                      providerItems: JSONValue.array([reasoning]).serialized())
        let history = ChatHistory(messages: [message("user", "q"), assistant], tokenBudget: 10_000, view: ModelView(sharing: .data))
        #expect(history.items == [.userMessage("q"), .providerItem(reasoning)])
    }
}
