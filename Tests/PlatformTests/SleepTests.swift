import Platform
import Testing

@Suite("Sleep and clocks")
struct SleepTests {
    @Test("a sleep over one second splits seconds from nanoseconds (nanosleep refuses tv_nsec ≥ 1 s)")
    func longSleep() {
        let start = ContinuousClock.now
        Sleep.milliseconds(1_050)
        #expect(MonotonicClock.milliseconds(since: start) >= 1_050)
    }

    @Test("short sleeps and durations, nothing for zero or less")
    func shortSleeps() {
        let start = MonotonicClock.nowMilliseconds()
        Sleep.milliseconds(0)
        Sleep.milliseconds(-5)
        Sleep.duration(.microseconds(-1))
        Sleep.milliseconds(20)
        Sleep.duration(.milliseconds(10))
        #expect(MonotonicClock.nowMilliseconds() - start >= 30)
    }

    @Test("whole milliseconds of a duration are truncated toward zero")
    func wholeMilliseconds() {
        #expect(Duration.microseconds(1_999).wholeMilliseconds == 1)
        #expect(Duration.seconds(2).wholeMilliseconds == 2_000)
        #expect(Duration.microseconds(-1_500).wholeMilliseconds == -1)
    }

    @Test("the wall clock is in milliseconds since the epoch")
    func wallClock() {
        let now = WallClock.nowMilliseconds()
        #expect(now > 1_764_000_000_000 && now < 4_102_444_800_000)
        #expect(WallClock.iso8601(1_764_037_311_123) == "2025-11-25T02:21:51.123Z")
    }
}
