/// The 50th, 95th and 99th percentile of a set of durations, in milliseconds.
public struct Percentiles: Sendable, Equatable {
    /// The median.
    public var p50: Int64
    /// The 95th percentile.
    public var p95: Int64
    /// The 99th percentile.
    public var p99: Int64

    /// Percentiles as given.
    public init(p50: Int64, p95: Int64, p99: Int64) {
        self.p50 = p50
        self.p95 = p95
        self.p99 = p99
    }

    /// The percentiles of `values` by nearest rank (the smallest value with at least p% of values at or
    /// below it); nil when there are none. Sorts `values`.
    public init?(_ values: inout [Int64]) {
        guard !values.isEmpty else { return nil }
        values.sort()
        func rank(_ percent: Int) -> Int64 {
            let index = (percent * values.count + 99) / 100 - 1
            return values[min(max(index, 0), values.count - 1)]
        }
        p50 = rank(50)
        p95 = rank(95)
        p99 = rank(99)
    }
}
