import CAtomics
import Synchronization

#if canImport(Glibc)
import Glibc
#endif
import Platform

/// 64-bit counters that the processes of one host add to together: a file mapped with `MAP_SHARED` by
/// each of them, holding one slot of counters per process plus a "retired" slot.
///
/// A process claims a free slot (an atomic compare-exchange of its pid into the slot) and from then on
/// adds to its own counters with atomic instructions: no lock, no system call, no cache line shared with
/// another process. A slot whose process is gone (pid and start time no longer match a live process) is
/// folded into the retired slot and freed, so the totals never go backwards while processes come and
/// go. Claiming, reclaiming and reading totals (rare) are serialized by `flock` on the file, and within a
/// process by a mutex; adding (every request) is not.
///
/// Layout: a 64-byte header (magic, signature, slot count, counter count, creation time), the retired
/// slot, then the process slots; each slot is `pid, start ticks, started at (ms), spare` and the
/// counters, padded to whole cache lines.
public final class CounterFile: @unchecked Sendable {
    /// The counters and slots of the file.
    public let layout: CounterFileLayout
    /// The file, or nil for memory private to this process (`init(privateWith:)`).
    public let path: String?
    private let descriptor: Int32
    private let base: UnsafeMutableRawPointer
    /// Serializes this process's threads; `flock` serializes processes (it is per open file, not per thread).
    private let maintenance = Mutex<Void>(())

    /// Opens (creating when absent) the counter file at `path`, shared with every process that opens it.
    /// Throws `.layoutMismatch` when the file holds counters of another layout (another release).
    /// - Parameter mode: the permissions of a new file.
    public init(path: String, layout: CounterFileLayout, mode: mode_t = 0o600) throws(CounterFileError) {
        (descriptor, base) = try Self.openShared(path: path, layout: layout, mode: mode)
        self.path = path
        self.layout = layout
    }

    /// Counters in memory private to this process: the same behaviour, nothing shared.
    public init(privateWith layout: CounterFileLayout) {
        let mapped = mmap(nil, layout.fileSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let mapped, mapped != MAP_FAILED else { fatalError("mmap of \(layout.fileSize) anonymous bytes failed: errno \(errno)") }
        descriptor = -1
        base = mapped
        path = nil
        self.layout = layout
        Self.writeHeader(base, layout: layout)
    }

    deinit {
        munmap(base, layout.fileSize)
        if descriptor >= 0 { close(descriptor) }
    }

    /// Whether other processes can see these counters (a file rather than private memory).
    public var isShared: Bool { path != nil }

    // MARK: Slots

    /// Claims a slot for `process` (this one by default) after reclaiming the slots of processes that are
    /// gone; a process that already holds a slot gets it again. Nil when every slot belongs to a live process.
    public func claimSlot(for process: ProcessIdentity = .current) -> CounterSlot? {
        withMaintenanceLock {
            reclaimGoneProcesses()
            for index in 1...layout.slots {
                let slot = header(of: index)
                if CAtomics_load(slot) == UInt64(process.pid) && CAtomics_load(slot + 1) == process.startTicks {
                    return CounterSlot(file: self, counters: counters(of: index))
                }
            }
            for index in 1...layout.slots {
                let slot = header(of: index)
                guard CAtomics_compareExchange(slot, 0, UInt64(process.pid)) else { continue }
                CAtomics_store(slot + 1, process.startTicks)
                CAtomics_store(slot + 2, UInt64(WallClock.nowMilliseconds()))
                return CounterSlot(file: self, counters: counters(of: index))
            }
            return nil
        }
    }

    /// The retired slot, for a process that found no slot of its own: what it adds there counts in the
    /// totals but belongs to no process.
    public var overflowSlot: CounterSlot { CounterSlot(file: self, counters: counters(of: 0)) }

    /// Every counter summed over all slots, and each live process's own counters, after folding the
    /// slots of processes that are gone into the retired slot.
    public func snapshot() -> CounterSnapshot {
        withMaintenanceLock {
            reclaimGoneProcesses()
            var totals = read(counters(of: 0))
            var processes: [ProcessCounters] = []
            for index in 1...layout.slots {
                let slot = header(of: index)
                let pid = CAtomics_load(slot)
                guard pid != 0 else { continue }
                let values = read(counters(of: index))
                for counter in totals.indices { totals[counter] &+= values[counter] }
                processes.append(ProcessCounters(pid: Int32(truncatingIfNeeded: pid),
                                                 startedAtMilliseconds: Int64(bitPattern: CAtomics_load(slot + 2)),
                                                 counters: values))
            }
            return CounterSnapshot(totals: totals, processes: processes)
        }
    }

    /// Folds every slot whose process is gone into the retired slot and frees it. Called with the lock held.
    private func reclaimGoneProcesses() {
        let retired = counters(of: 0)
        for index in 1...layout.slots {
            let slot = header(of: index)
            let pid = CAtomics_load(slot)
            guard pid != 0 else { continue }
            let process = ProcessIdentity(pid: Int32(truncatingIfNeeded: pid), startTicks: CAtomics_load(slot + 1))
            guard !process.isAlive else { continue }
            let values = counters(of: index)
            for counter in 0..<layout.counters {
                _ = CAtomics_add(retired + counter, CAtomics_exchange(values + counter, 0))
            }
            CAtomics_store(slot + 1, 0)
            CAtomics_store(slot + 2, 0)
            CAtomics_store(slot, 0)
        }
    }

    // MARK: Memory

    /// The header words of slot `index` (0 is the retired slot).
    private func header(of index: Int) -> UnsafeMutablePointer<UInt64> {
        (base + CounterFileLayout.headerBytes + index * layout.slotStride).assumingMemoryBound(to: UInt64.self)
    }

    private func counters(of index: Int) -> UnsafeMutablePointer<UInt64> {
        header(of: index) + CounterFileLayout.slotHeaderWords
    }

    private func read(_ counters: UnsafeMutablePointer<UInt64>) -> [UInt64] {
        (0..<layout.counters).map { CAtomics_load(counters + $0) }
    }

    private func withMaintenanceLock<T: Sendable>(_ body: () -> T) -> T {
        maintenance.withLock { _ in
            guard descriptor >= 0 else { return body() }
            // Only EINTR can fail a blocking flock on a descriptor we own; retry it.
            while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
            defer { flock(descriptor, LOCK_UN) }
            return body()
        }
    }

    private static func openShared(path: String, layout: CounterFileLayout,
                                   mode: mode_t) throws(CounterFileError) -> (Int32, UnsafeMutableRawPointer) {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw CounterFileError(.systemCall, path: path, call: "open", errno: errno) }
        // Creation and the header check happen under the file lock, so a process never sees a half-made header.
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let error = CounterFileError(.systemCall, path: path, call: "flock", errno: errno)
                close(descriptor)
                throw error
            }
        }
        let result = Result { () throws(CounterFileError) in try map(descriptor, path: path, layout: layout) }
        flock(descriptor, LOCK_UN)
        switch result {
        case .success(let mapped):
            return (descriptor, mapped)
        case .failure(let error):
            close(descriptor)
            throw error
        }
    }

    /// Sizes a new file, maps it and checks (or writes) its header; the caller holds the file lock.
    private static func map(_ descriptor: Int32, path: String,
                            layout: CounterFileLayout) throws(CounterFileError) -> UnsafeMutableRawPointer {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw CounterFileError(.systemCall, path: path, call: "fstat", errno: errno)
        }
        if status.st_size == 0 {
            guard ftruncate(descriptor, off_t(layout.fileSize)) == 0 else {
                throw CounterFileError(.systemCall, path: path, call: "ftruncate", errno: errno)
            }
        } else if Int(status.st_size) != layout.fileSize {
            throw CounterFileError(.layoutMismatch, path: path)
        }
        let mapped = mmap(nil, layout.fileSize, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0)
        guard let mapped, mapped != MAP_FAILED else {
            throw CounterFileError(.systemCall, path: path, call: "mmap", errno: errno)
        }
        let words = mapped.assumingMemoryBound(to: UInt64.self)
        let magic = CAtomics_load(words)
        if magic == 0 {
            writeHeader(mapped, layout: layout)
        } else if magic != CounterFileLayout.magic || CAtomics_load(words + 1) != layout.signature {
            munmap(mapped, layout.fileSize)
            throw CounterFileError(.layoutMismatch, path: path)
        }
        return mapped
    }

    /// Fills the header of zeroed memory; the magic goes last.
    private static func writeHeader(_ base: UnsafeMutableRawPointer, layout: CounterFileLayout) {
        let words = base.assumingMemoryBound(to: UInt64.self)
        CAtomics_store(words + 1, layout.signature)
        CAtomics_store(words + 2, UInt64(layout.slots))
        CAtomics_store(words + 3, UInt64(layout.counters))
        CAtomics_store(words + 4, UInt64(WallClock.nowMilliseconds()))
        CAtomics_store(words, CounterFileLayout.magic)
    }
}
