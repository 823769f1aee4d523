import JSON
import Model
import Operations
import Policies
import Store

/// Turns a thread's stored messages into the history sent to the model.
///
/// Each tool result is placed right after the call it answers, wherever it was stored (a call closed
/// after a crash is answered after later messages; `ToolCallResults` pairs them), and the history is
/// trimmed to a token budget by dropping whole turns, oldest first: a turn is a user message and everything
/// up to the next one, so a call is never separated from its result. The newest turn is always kept.
struct ChatHistory {
    /// The conversation items, oldest first.
    let items: [ConversationItem]
    /// Turns left out to stay within the budget.
    let droppedTurns: Int

    /// Tool calls in `messages` that have no result in them, in the order they were made.
    static func unansweredCalls(in messages: [MessageRecord]) -> [StoredToolCall] {
        ToolCallResults(messages: messages).unanswered
    }

    /// Builds the history from `messages` (oldest first) within about `tokenBudget` tokens; tool results are
    /// given as `view` derives them from the stored copies.
    init(messages: [MessageRecord], tokenBudget: Int, view: ModelView) {
        let results = ToolCallResults(messages: messages)
        // Turns start at user messages; anything before the first one (a window that begins mid-turn) is dropped.
        var turns: [[ConversationItem]] = []
        for (index, message) in messages.enumerated() {
            switch message.role {
            case "user":
                turns.append([.userMessage(message.content ?? "")])
            case "assistant":
                guard !turns.isEmpty else { continue }
                turns[turns.count - 1] += Self.items(assistant: message, calls: results.turns[index] ?? [], view: view)
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
    private static func items(assistant message: MessageRecord, calls: [ToolCallResults.Pair],
                              view: ModelView) -> [ConversationItem] {
        var items: [ConversationItem] = []
        if let text = message.providerItems, let kept = (try? JSONValue.parse(text))?.arrayValue, !kept.isEmpty {
            items = kept.map(ConversationItem.providerItem)
        } else if let content = message.content, !content.isEmpty {
            items.append(.assistantMessage(content))
        }
        for (call, _) in calls {
            items.append(.functionCall(callId: call.id, name: call.name, arguments: call.arguments))
        }
        for (call, output) in calls {
            guard let output else { continue }
            items.append(.functionOutput(callId: call.id,
                                         output: view.toolOutput(tool: output.toolName ?? call.name,
                                                                 stored: output.toolResult ?? "{}")))
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
