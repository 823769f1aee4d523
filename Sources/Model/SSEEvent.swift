/// One server-sent event: the `event:` name (nil when absent) and the joined `data:` lines.
public struct SSEEvent: Sendable, Equatable {
    /// The event type from `event:`, or nil.
    public var event: String?
    /// The data lines joined with `\n`.
    public var data: String

    /// Creates an event.
    public init(event: String? = nil, data: String) {
        self.event = event
        self.data = data
    }
}
