import CAtomics

/// The counters one process adds to: a slot of a `CounterFile`. Adding is one atomic instruction, safe
/// from any thread of any process that maps the file; nothing is locked.
public struct CounterSlot: @unchecked Sendable {
    /// Keeps the mapping alive as long as the slot is in use.
    let file: CounterFile
    let counters: UnsafeMutablePointer<UInt64>

    /// The number of counters.
    public var count: Int { file.layout.counters }

    /// Adds `amount` to counter `index`; an index outside the layout is ignored.
    @inline(__always)
    public func add(_ index: Int, _ amount: UInt64 = 1) {
        guard index >= 0 && index < file.layout.counters else { return }
        _ = CAtomics_add(counters + index, amount)
    }

    /// The current value of counter `index` (0 outside the layout).
    public func value(_ index: Int) -> UInt64 {
        guard index >= 0 && index < file.layout.counters else { return 0 }
        return CAtomics_load(counters + index)
    }
}
