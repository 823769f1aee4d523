#if canImport(Glibc)
import Glibc
#endif

/// A process as the kernel knows it: its pid and its start time, which together name one process even
/// after the pid is reused.
public struct ProcessIdentity: Sendable, Equatable {
    /// The process id.
    public let pid: Int32
    /// Field 22 of `/proc/PID/stat`: the start time in clock ticks since boot; 0 when unknown.
    public let startTicks: UInt64

    /// Creates an identity from its parts.
    public init(pid: Int32, startTicks: UInt64) {
        self.pid = pid
        self.startTicks = startTicks
    }

    /// This process.
    public static var current: ProcessIdentity {
        let pid = getpid()
        return ProcessIdentity(pid: pid, startTicks: (try? startTicks(of: pid)) ?? 0)
    }

    /// The process with this pid now, or nil when there is none.
    public static func of(_ pid: Int32) -> ProcessIdentity? {
        guard let ticks = try? startTicks(of: pid) else { return nil }
        return ProcessIdentity(pid: pid, startTicks: ticks)
    }

    /// Whether the process still runs. Only a process that is certainly gone counts as gone: no
    /// `/proc/PID` (or `kill(pid, 0)` says ESRCH), or a process with that pid that started at another
    /// time. When /proc cannot be read for another reason (too many open files), it counts as alive.
    public var isAlive: Bool {
        guard pid > 0 else { return false }
        do {
            guard let ticks = try Self.startTicks(of: pid) else { return false }
            return startTicks == 0 || ticks == startTicks
        } catch {
            return kill(pid, 0) == 0 || errno != ESRCH
        }
    }

    private struct Unreadable: Error {}

    /// The start ticks of `pid`, nil when there is no such process; throws when /proc could not be read.
    static func startTicks(of pid: Int32) throws -> UInt64? {
        let descriptor = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT || errno == ESRCH { return nil }
            throw Unreadable()
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            // A process that exited between open and read reads as empty (ESRCH).
            if count < 0 { return nil }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[..<count])
        }
        // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
        // After ')' come field 3 (state) onwards, so field 22 is at index 19. A zombie is gone.
        guard fields.count > 19, fields[0].first != UInt8(ascii: "Z") else { return nil }
        return UInt64(String(decoding: fields[19], as: UTF8.self))
    }
}
