/// A page of a thread's messages, oldest first, for paging backwards through long threads.
public struct MessagePage: Sendable, Equatable {
    /// The messages, oldest first.
    public let messages: [MessageRecord]
    /// Whether older messages exist before the first one here.
    public let hasMore: Bool

    /// Creates a page.
    public init(messages: [MessageRecord], hasMore: Bool) {
        self.messages = messages
        self.hasMore = hasMore
    }
}
