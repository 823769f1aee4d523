#if canImport(Glibc)
import Glibc
#endif

/// Time on the system's monotonic clock (`CLOCK_MONOTONIC`), for measuring idle time and intervals;
/// never wall-clock time. `ContinuousClock` instants read the same clock.
public enum MonotonicClock {
    /// Milliseconds since an arbitrary fixed point (the boot); never goes backwards.
    public static func nowMilliseconds() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int(time.tv_sec) * 1_000 + Int(time.tv_nsec) / 1_000_000
    }

    /// Whole milliseconds from `start` until now (truncated).
    public static func milliseconds(since start: ContinuousClock.Instant) -> Int64 {
        (ContinuousClock.now - start).wholeMilliseconds
    }

    /// Whole milliseconds from now until `deadline` (truncated; negative when it has passed).
    public static func milliseconds(until deadline: ContinuousClock.Instant) -> Int64 {
        (deadline - ContinuousClock.now).wholeMilliseconds
    }
}
