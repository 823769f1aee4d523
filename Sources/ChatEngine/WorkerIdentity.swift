
#if canImport(Glibc)
import Glibc
#endif
import Platform

/// Names the worker process that drives a run (`host/pid/start-time`), so another worker on the same
/// host can tell at once whether that process is still alive: the pid alone could be reused, the pid
/// with the kernel's start time of the process cannot.
public enum WorkerIdentity {
    /// This process's identity.
    public static let current: String = "\(hostName)/\(getpid())/\(startTime(of: getpid()) ?? "0")"

    /// Whether the worker named by `identity` is known to be gone: true only when it ran on this host and
    /// no process with its pid and start time exists. Workers on other hosts are never declared dead here
    /// (their runs end by their deadline).
    public static func isGone(_ identity: String) -> Bool {
        let parts = identity.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, parts[0] == hostName, let pid = Int32(parts[1]) else { return false }
        guard let start = startTime(of: pid) else { return true }
        return start != parts[2]
    }

    /// Whether `identity` names a worker on this host.
    public static func isLocal(_ identity: String) -> Bool {
        identity.split(separator: "/", omittingEmptySubsequences: false).first.map(String.init) == hostName
    }

    private static let hostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// Field 22 of `/proc/PID/stat` (start time in clock ticks since boot) as text, or nil when there is no
    /// such process, /proc cannot be read, or the process no longer drives anything: a zombie (state Z, or
    /// X: dead) only waits for its parent to reap it, and a process with PF_EXITING in its flags is being
    /// torn down (its sockets may already be closed, nginx may already have answered 502).
    private static func startTime(of pid: Int32) -> String? {
        guard let stat = try? ProcessStat.read(pid: pid), !stat.isZombie, !stat.isDead, !stat.isExiting else { return nil }
        return String(stat.startTicks)
    }
}
