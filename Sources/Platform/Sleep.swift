#if canImport(Glibc)
import Glibc
#endif

/// Blocking the calling OS thread for a while (`nanosleep`), for threads that are not Swift's
/// cooperative pool: request threads, heartbeats, retry loops.
public enum Sleep {
    /// Blocks the calling thread for `milliseconds` (nothing for 0 or less), resuming after signals
    /// until the whole time has passed.
    public static func milliseconds(_ milliseconds: Int) {
        guard milliseconds > 0 else { return }
        // tv_nsec must stay below one second: nanosleep refuses 1_000_000_000 at once (EINVAL).
        sleep(timespec(tv_sec: milliseconds / 1_000, tv_nsec: (milliseconds % 1_000) * 1_000_000))
    }

    /// Blocks the calling thread for `duration` (nothing for zero or less, at nanosecond precision),
    /// resuming after signals until the whole time has passed.
    public static func duration(_ duration: Duration) {
        guard duration > .zero else { return }
        let (seconds, attoseconds) = duration.components
        sleep(timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000)))
    }

    private static func sleep(_ time: timespec) {
        var request = time
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
    }
}
