/// One live process's own counters.
public struct ProcessCounters: Sendable {
    /// The process id.
    public let pid: Int32
    /// When it claimed its slot, in milliseconds since the Unix epoch.
    public let startedAtMilliseconds: Int64
    /// Its counters, by index.
    public let counters: [UInt64]
}
