import JSON

extension ConversationItem {
    /// `items` without the `.functionCall`s that a kept provider item (a Responses `function_call`, stored
    /// verbatim before the calls of its answer) already carries, so no call is sent twice. Matched one for one,
    /// in order: calls of one answer that repeat an id (answered as an error, each with its own output) and ids a
    /// model reuses in a later answer are each sent once, so every output still has its call.
    static func withoutCallsCarriedVerbatim(_ items: [ConversationItem]) -> [ConversationItem] {
        var carried: [String: Int] = [:]  // provider function_call items not yet matched, by call id
        return items.filter { item in
            switch item {
            case .providerItem(let value) where value["type"]?.stringValue == "function_call":
                if let callId = value["call_id"]?.stringValue { carried[callId, default: 0] += 1 }
                return true
            case .functionCall(let callId, _, _):
                guard let count = carried[callId], count > 0 else { return true }
                carried[callId] = count - 1
                return false
            default:
                return true
            }
        }
    }
}
