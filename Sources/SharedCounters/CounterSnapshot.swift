/// The counters of every process that shares a counter file, read at one moment.
public struct CounterSnapshot: Sendable {
    /// Each counter summed over all slots, including the processes that are gone: never decreases.
    public let totals: [UInt64]
    /// The live processes, by slot order.
    public let processes: [ProcessCounters]
}
