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
    /// `/proc/PID` (or `kill(pid, 0)` says ESRCH), a zombie, or a process with that pid that started at
    /// another time. When /proc cannot be read for another reason (too many open files), it counts as alive.
    public var isAlive: Bool {
        guard pid > 0 else { return false }
        do {
            guard let ticks = try Self.startTicks(of: pid) else { return false }
            return startTicks == 0 || ticks == startTicks
        } catch {
            return kill(pid, 0) == 0 || errno != ESRCH
        }
    }

    /// The start ticks of `pid`, nil when there is no such process or it is a zombie; throws when /proc
    /// could not be read.
    static func startTicks(of pid: Int32) throws(ProcessStat.Unreadable) -> UInt64? {
        guard let stat = try ProcessStat.read(pid: pid), !stat.isZombie else { return nil }
        return stat.startTicks
    }
}
