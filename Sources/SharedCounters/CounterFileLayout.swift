/// The shape of a counter file: how many 64-bit counters each process slot holds, how many process
/// slots there are, and a signature of what the counters mean, so that processes whose counters mean
/// different things (another release) never add into each other's.
public struct CounterFileLayout: Sendable, Equatable {
    /// Counters per slot.
    public let counters: Int
    /// Process slots (besides the one that keeps the counts of processes that are gone).
    public let slots: Int
    /// A hash of `description`, `counters` and `slots`, stored in the file's header.
    public let signature: UInt64

    /// Creates a layout of `counters` counters in each of `slots` slots; `description` names what the
    /// counters mean (metric names and label values, in order), so any change gives a new signature.
    public init(counters: Int, slots: Int = 128, description: String) {
        precondition(counters > 0 && slots > 0, "a counter file needs counters and slots")
        self.counters = counters
        self.slots = slots
        signature = Self.fnv1a("\(description)|\(counters)|\(slots)")
    }

    /// Words before a slot's counters: pid, process start (clock ticks since boot), start time (ms since the epoch), spare.
    static let slotHeaderWords = 4
    /// The file header, one cache line: magic, signature, slots, counters, creation time.
    static let headerBytes = 64
    static let magic: UInt64 = 0x5247_4153_5341_4750 // "PGASSAGR" little-endian: pgassist aggregated

    /// Bytes from one slot to the next: whole cache lines, so processes do not share one for their counters.
    var slotStride: Int {
        let bytes = (Self.slotHeaderWords + counters) * MemoryLayout<UInt64>.size
        return (bytes + 63) / 64 * 64
    }

    /// The file's size in bytes: the header, the retired slot, then `slots` process slots.
    var fileSize: Int { Self.headerBytes + (slots + 1) * slotStride }

    /// 64-bit FNV-1a, stable across runs and releases (Swift's `Hasher` is seeded per process).
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
