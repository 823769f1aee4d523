import JSON
import Model

/// Turns a thread's stored messages into the history sent to the model.
///
/// Each tool result is placed right after the call it answers, wherever it was stored (a call closed
/// after a crash is answered after later messages), and the history is trimmed to a token budget by
/// dropping whole turns, oldest first: a turn is a user message and everything up to the next one, so a
/// call is never separated from its result. The newest turn is always kept.
struct ChatHistory {
    /// The conversation items, oldest first.
    let items: [ConversationItem]
    /// Turns left out to stay within the budget.
    let droppedTurns: Int

    /// Tool calls in `messages` that have no result anywhere in them.
    static func unansweredCalls(in messages: [MessageRecord]) -> [StoredToolCall] {
        let answered = Set(messages.compactMap { $0.role == "tool" ? $0.toolCallId : nil })
        return messages.filter { $0.role == "assistant" }.flatMap { StoredToolCall.decode($0.toolCalls) }
            .filter { !answered.contains($0.id) }
    }

    /// Builds the history from `messages` (oldest first) within about `tokenBudget` tokens.
    init(messages: [MessageRecord], tokenBudget: Int) {
        var outputs: [String: MessageRecord] = [:]
        for message in messages where message.role == "tool" {
            if let id = message.toolCallId { outputs[id] = message }
        }
        // Turns start at user messages; anything before the first one (a window that begins mid-turn) is dropped.
        var turns: [[ConversationItem]] = []
        for message in messages {
            switch message.role {
            case "user":
                turns.append([.userMessage(message.content ?? "")])
            case "assistant":
                guard !turns.isEmpty else { continue }
                turns[turns.count - 1] += Self.items(assistant: message, outputs: outputs)
            default:
                continue
            }
        }
        var sizes = turns.map { turn in turn.reduce(0) { $0 + Self.estimatedTokens($1) } }
        var dropped = 0
        while turns.count > 1, sizes.reduce(0, +) > tokenBudget {
            turns.removeFirst()
            sizes.removeFirst()
            dropped += 1
        }
        items = turns.flatMap { $0 }
        droppedTurns = dropped
    }

    /// An assistant message's items: the provider's verbatim items when kept (they carry reasoning),
    /// else its text and calls; then the result of each call.
    private static func items(assistant message: MessageRecord, outputs: [String: MessageRecord]) -> [ConversationItem] {
        var items: [ConversationItem] = []
        let calls = StoredToolCall.decode(message.toolCalls)
        if let text = message.providerItems, let kept = (try? JSONValue.parse(text))?.arrayValue, !kept.isEmpty {
            items = kept.map(ConversationItem.providerItem)
        } else if let content = message.content, !content.isEmpty {
            items.append(.assistantMessage(content))
        }
        for call in calls {
            items.append(.functionCall(callId: call.id, name: call.name, arguments: call.arguments))
        }
        for call in calls {
            guard let output = outputs[call.id] else { continue }
            items.append(.functionOutput(callId: call.id,
                                         output: ToolOutputEnvelope.wrap(tool: output.toolName ?? call.name,
                                                                         rendered: output.toolResult ?? "{}")))
        }
        return items
    }

    /// About 4 bytes of text per token.
    static func estimatedTokens(_ item: ConversationItem) -> Int {
        let bytes = switch item {
        case .userMessage(let text), .assistantMessage(let text): text.utf8.count
        case .functionCall(_, let name, let arguments): name.utf8.count + arguments.utf8.count + 16
        case .functionOutput(_, let output): output.utf8.count + 16
        case .providerItem(let value): value.serializedBytes().count
        }
        return bytes / 4 + 4
    }
}
