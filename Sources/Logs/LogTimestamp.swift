import Platform

/// A wall-clock instant as log lines print it: RFC 3339 in UTC with milliseconds,
/// `2026-11-25T07:43:04.123Z`.
struct LogTimestamp: Equatable, Sendable {
    /// Seconds since the Unix epoch.
    let seconds: Int
    /// Milliseconds within the second (0...999).
    let milliseconds: Int

    /// The current time of the system clock (`CLOCK_REALTIME`).
    static var now: LogTimestamp {
        let now = WallClock.nowMilliseconds()
        return LogTimestamp(seconds: Int(now / 1_000), milliseconds: Int(now % 1_000))
    }

    /// Appends the 24 characters of the timestamp (without quotes) to `bytes`.
    func append(to bytes: inout [UInt8]) {
        bytes.append(contentsOf: text.utf8)
    }

    /// The timestamp as text.
    var text: String {
        WallClock.iso8601(Int64(seconds) * 1_000 + Int64(milliseconds))
    }
}
