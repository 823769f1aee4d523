import Platform

/// The openai-python / openai-node retry timing.
enum RetryDelay {
    /// The delay the server asked for, in milliseconds: `retry-after-ms`, then `retry-after` as
    /// seconds, then `retry-after` as an HTTP date; nil when absent or unreadable.
    static func serverDelayMilliseconds(_ header: (String) -> String?) -> Int? {
        if let text = header("retry-after-ms"), let milliseconds = Double(text.trimmingSpaces), milliseconds.isFinite {
            return Int(milliseconds.rounded(.up))
        }
        guard let text = header("retry-after")?.trimmingSpaces else { return nil }
        if let seconds = Double(text), seconds.isFinite { return Int((seconds * 1000).rounded(.up)) }
        guard let date = HTTPDate.secondsSinceEpoch(text) else { return nil }
        return (date - Int(WallClock.nowMilliseconds() / 1_000)) * 1000
    }

    /// The wait before retry number `retriesSoFar + 1`, in milliseconds: the server's delay when
    /// 0 < delay ≤ `cap`, else `min(0.5 s · 2^n, 8 s) × (1 − 0.25·random)`.
    static func milliseconds(retriesSoFar: Int, serverDelay: Int?, cap: Int) -> Int {
        if let serverDelay, serverDelay > 0, serverDelay <= cap { return serverDelay }
        let base = min(500.0 * Double(1 << min(retriesSoFar, 10)), 8_000.0)
        return Int(base * (1 - 0.25 * Double.random(in: 0..<1)))
    }
}
