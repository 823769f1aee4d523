import Glibc

/// Milliseconds on the system's monotonic clock, for measuring idle time (never wall-clock time).
enum MonotonicClock {
    /// Milliseconds since an arbitrary fixed point; never goes backwards.
    static func nowMilliseconds() -> Int {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int(time.tv_sec) * 1_000 + Int(time.tv_nsec) / 1_000_000
    }

    /// Sleeps for `milliseconds` (at least 1).
    static func sleep(milliseconds: Int) {
        usleep(useconds_t(max(milliseconds, 1) * 1_000))
    }
}
