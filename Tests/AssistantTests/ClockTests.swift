import Platform
import Store
import Testing

@Suite("Clock")
struct ClockTests {
    @Test("ISO 8601 in UTC with milliseconds, zero-padded, also at the edges of four-digit years")
    func iso8601() {
        #expect(WallClock.iso8601(0) == "1970-01-01T00:00:00.000Z")
        #expect(WallClock.iso8601(1_764_037_311_123) == "2025-11-25T02:21:51.123Z")
        #expect(WallClock.iso8601(951_782_400_007) == "2000-02-29T00:00:00.007Z")
        #expect(WallClock.iso8601(253_402_300_799_999) == "9999-12-31T23:59:59.999Z")
        #expect(WallClock.iso8601(253_402_300_800_000) == "10000-01-01T00:00:00.000Z")
    }
}
