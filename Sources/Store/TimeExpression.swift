/// A point in time as a person types it on the command line: a duration back from now (`90s`, `30m`,
/// `24h`, `7d`, `2w`) or an ISO 8601 date or date-time (`2026-11-25`, `2026-11-25T14:30`,
/// `2026-11-25T14:30:05.250+01:00`; UTC unless it carries `Z` or an offset; a space may replace the `T`).
public enum TimeExpression {
    /// The time `text` names, in milliseconds since the Unix epoch, or nil when it is neither form.
    /// - Parameter now: the current time in milliseconds, which durations count back from.
    public static func milliseconds(_ text: String, now: Int64) -> Int64? {
        let trimmed = text.trimmingSpaces()
        if let duration = durationMilliseconds(trimmed) { return now - duration }
        return dateMilliseconds(trimmed)
    }

    /// `N` followed by a unit (s, m, h, d, w), in milliseconds.
    static func durationMilliseconds(_ text: String) -> Int64? {
        guard let unit = text.last, let amount = Int64(text.dropLast()), amount >= 0 else { return nil }
        let scale: Int64
        switch unit {
        case "s": scale = 1_000
        case "m": scale = 60_000
        case "h": scale = 3_600_000
        case "d": scale = 86_400_000
        case "w": scale = 604_800_000
        default: return nil
        }
        let (product, overflow) = amount.multipliedReportingOverflow(by: scale)
        return overflow ? nil : product
    }

    /// An ISO 8601 date or date-time, in milliseconds since the epoch.
    static func dateMilliseconds(_ text: String) -> Int64? {
        var reader = Substring(text)
        guard let year = reader.number(digits: 4), reader.skip("-"), let month = reader.number(digits: 2), reader.skip("-"),
              let day = reader.number(digits: 2), (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var milliseconds = daysFromEpoch(year: year, month: month, day: day) * 86_400_000
        guard !reader.isEmpty else { return milliseconds }
        guard reader.skip("T") || reader.skip("t") || reader.skip(" "),
              let hour = reader.number(digits: 2), reader.skip(":"), let minute = reader.number(digits: 2),
              hour < 24, minute < 60 else { return nil }
        milliseconds += Int64(hour) * 3_600_000 + Int64(minute) * 60_000
        if reader.skip(":") {
            guard let second = reader.number(digits: 2), second < 60 else { return nil }
            milliseconds += Int64(second) * 1_000
            if reader.skip(".") {
                let digits = reader.prefix { $0.isASCII && $0.isNumber }
                guard !digits.isEmpty else { return nil }
                reader = reader.dropFirst(digits.count)
                let padded = (digits + "00").prefix(3)
                milliseconds += Int64(padded) ?? 0
            }
        }
        if reader.skip("Z") || reader.skip("z") { return reader.isEmpty ? milliseconds : nil }
        guard !reader.isEmpty else { return milliseconds }
        guard let sign = reader.first, sign == "+" || sign == "-" else { return nil }
        reader = reader.dropFirst()
        guard let offsetHours = reader.number(digits: 2) else { return nil }
        _ = reader.skip(":")
        let offsetMinutes = reader.isEmpty ? 0 : reader.number(digits: 2)
        guard let offsetMinutes, reader.isEmpty, offsetHours < 24, offsetMinutes < 60 else { return nil }
        let offset = Int64(offsetHours) * 3_600_000 + Int64(offsetMinutes) * 60_000
        // Local time = UTC + offset, so UTC = local − offset.
        return sign == "+" ? milliseconds - offset : milliseconds + offset
    }

    /// Days from 1970-01-01 to the date in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    private static func daysFromEpoch(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * monthIndex + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

private extension Substring {
    /// Consumes `literal` when the text starts with it.
    mutating func skip(_ literal: Character) -> Bool {
        guard first == literal else { return false }
        removeFirst()
        return true
    }

    /// Consumes exactly `digits` ASCII digits and returns their value.
    mutating func number(digits: Int) -> Int? {
        let head = prefix(digits)
        guard head.count == digits, head.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(head) else { return nil }
        removeFirst(digits)
        return value
    }
}
