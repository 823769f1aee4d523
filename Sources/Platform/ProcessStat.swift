#if canImport(Glibc)
import Glibc
#endif

/// The fields of `/proc/PID/stat` that tell whether a process still runs and which process it is.
public struct ProcessStat: Sendable, Equatable {
    /// Field 3: the state letter (`R`, `S`, `D`, `Z` for a zombie, `X` for dead, …).
    public let state: UInt8
    /// Field 9: the kernel's flags (`PF_*`).
    public let flags: UInt
    /// Field 22: the start time in clock ticks since boot; with the pid, it names one process even
    /// after the pid is reused.
    public let startTicks: UInt64

    /// `PF_EXITING`: the process is being torn down.
    public static let exitingFlag: UInt = 0x4

    /// Creates a record from its fields.
    public init(state: UInt8, flags: UInt, startTicks: UInt64) {
        self.state = state
        self.flags = flags
        self.startTicks = startTicks
    }

    /// A zombie (`Z`) only waits for its parent to reap it.
    public var isZombie: Bool { state == UInt8(ascii: "Z") }

    /// Dead (`X`): the process is gone.
    public var isDead: Bool { state == UInt8(ascii: "X") }

    /// `PF_EXITING` is set: the process is being torn down (its sockets may already be closed).
    public var isExiting: Bool { flags & Self.exitingFlag != 0 }

    /// The /proc directory could not be read for another reason than a missing process (too many open files).
    public struct Unreadable: Error, Sendable {
        /// The `errno` of `open`.
        public let code: Int32
    }

    /// Reads `/proc/PID/stat`: nil when there is no such process (or it exited while being read, or the
    /// file is malformed); throws `Unreadable` when the file could not be opened for another reason.
    public static func read(pid: Int32) throws(Unreadable) -> ProcessStat? {
        let descriptor = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT || errno == ESRCH { return nil }
            throw Unreadable(code: errno)
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while true {
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            // A process that exited between open and read reads as empty (ESRCH).
            if count < 0 { return nil }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[..<count])
        }
        return parse(bytes)
    }

    /// Parses the text of a `/proc/PID/stat` file; nil when it is malformed.
    public static func parse(_ bytes: [UInt8]) -> ProcessStat? {
        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
        // After ')' come field 3 (state) onwards, so field 9 (flags) is at index 6 and field 22 at index 19.
        guard fields.count > 19, let state = fields[0].first,
              let startTicks = UInt64(String(decoding: fields[19], as: UTF8.self)) else { return nil }
        return ProcessStat(state: state, flags: UInt(String(decoding: fields[6], as: UTF8.self)) ?? 0, startTicks: startTicks)
    }
}
