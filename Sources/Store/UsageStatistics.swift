/// `pgassist stats`: the period, the grouping, one row per group and a total row.
public struct UsageStatistics: Sendable {
    /// The period, in milliseconds since the Unix epoch (start included, end excluded).
    public let period: Range<Int64>
    /// What the rows are.
    public let grouping: StatisticsGrouping
    /// One row per group: days in order, other groupings busiest first (tool calls, then runs, then name).
    public let rows: [StatisticsRow]
    /// Everything in the period together.
    public let total: StatisticsRow
}
