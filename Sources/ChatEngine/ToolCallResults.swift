import Policies
import Store

/// A thread's stored tool results matched to the calls they answer.
///
/// A result answers the oldest call with its id that has none yet, so the pairs come out right when an
/// answer repeats an id (the repeats are answered `duplicate_call_id`, after the first call's result) and
/// when a model reuses ids from one answer to the next.
struct ToolCallResults {
    /// A call and its result, if it has one.
    typealias Pair = (call: StoredToolCall, result: MessageRecord?)

    /// For each message that made calls, by its index in the messages given: its calls in order, with results.
    let turns: [Int: [Pair]]

    /// Matches the results in `messages` (oldest first) to the calls before them.
    init(messages: [MessageRecord]) {
        var turns: [Int: [Pair]] = [:]
        var waiting: [String: [(message: Int, call: Int)]] = [:]  // calls without a result, by id, oldest first
        for (index, message) in messages.enumerated() {
            if message.role == "assistant" {
                let calls = StoredToolCall.decode(message.toolCalls)
                guard !calls.isEmpty else { continue }
                turns[index] = calls.map { ($0, nil) }
                for (position, call) in calls.enumerated() {
                    waiting[call.id, default: []].append((index, position))
                }
            } else if message.role == "tool", let id = message.toolCallId, let slot = waiting[id]?.first {
                waiting[id]?.removeFirst()
                turns[slot.message]?[slot.call].result = message
            }
        }
        self.turns = turns
    }

    /// The calls that have no result, in the order they were made.
    var unanswered: [StoredToolCall] {
        turns.keys.sorted().flatMap { index in (turns[index] ?? []).filter { $0.result == nil }.map(\.call) }
    }
}
