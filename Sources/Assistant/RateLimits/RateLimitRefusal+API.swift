import HTTP

extension RateLimitRefusal {
    /// 429 `rate_limited` with `Retry-After` (seconds to the window's end) and a message saying which limit.
    public var apiError: APIError {
        let what = limit == .runs ? "\(maximum) chat runs" : "\(maximum) model tokens"
        return APIError(status: 429, code: .rateLimited,
                        message: "You reached the limit of \(what) per \(Self.duration(windowSeconds, dropOne: true)); "
                            + "try again in \(Self.duration(retryAfterSeconds)).",
                        headers: [("Retry-After", "\(retryAfterSeconds)")])
    }

    /// `1 hour`, `90 minutes`, `42 seconds`: the largest unit that divides evenly, for people;
    /// `hour` rather than `1 hour` with `dropOne`.
    private static func duration(_ seconds: Int64, dropOne: Bool = false) -> String {
        func plural(_ count: Int64, _ unit: String) -> String {
            count == 1 ? (dropOne ? unit : "1 \(unit)") : "\(count) \(unit)s"
        }
        if seconds >= 86_400, seconds % 86_400 == 0 { return plural(seconds / 86_400, "day") }
        if seconds >= 3_600, seconds % 3_600 == 0 { return plural(seconds / 3_600, "hour") }
        if seconds >= 60, seconds % 60 == 0 { return plural(seconds / 60, "minute") }
        return plural(seconds, "second")
    }
}
