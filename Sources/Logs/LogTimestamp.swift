import Glibc

/// A wall-clock instant as log lines print it: RFC 3339 in UTC with milliseconds,
/// `2026-11-25T07:43:04.123Z`.
struct LogTimestamp: Equatable, Sendable {
    /// Seconds since the Unix epoch.
    let seconds: Int
    /// Milliseconds within the second (0...999).
    let milliseconds: Int

    /// The current time of the system clock (`CLOCK_REALTIME`).
    static var now: LogTimestamp {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return LogTimestamp(seconds: Int(time.tv_sec), milliseconds: Int(time.tv_nsec) / 1_000_000)
    }

    /// Appends the 24 characters of the timestamp (without quotes) to `bytes`.
    func append(to bytes: inout [UInt8]) {
        var time = time_t(seconds)
        var fields = tm()
        gmtime_r(&time, &fields)
        Self.appendDigits(Int(fields.tm_year) + 1900, count: 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Self.appendDigits(Int(fields.tm_mon) + 1, count: 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Self.appendDigits(Int(fields.tm_mday), count: 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        Self.appendDigits(Int(fields.tm_hour), count: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.appendDigits(Int(fields.tm_min), count: 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.appendDigits(Int(fields.tm_sec), count: 2, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        Self.appendDigits(milliseconds, count: 3, to: &bytes)
        bytes.append(UInt8(ascii: "Z"))
    }

    /// The timestamp as text.
    var text: String {
        var bytes: [UInt8] = []
        append(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `value` as exactly `count` decimal digits, zero-padded (higher digits of a larger value are dropped).
    private static func appendDigits(_ value: Int, count: Int, to bytes: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<count { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8((value / divisor) % 10))
            divisor /= 10
        }
    }
}
