/// What `pgassist stats` summarises by.
public enum StatisticsGrouping: String, CaseIterable, Sendable {
    /// The user the audit event or run belongs to.
    case user
    /// The project (`projectRef`); `-` when there was none.
    case project
    /// The UTC day, `2026-11-25`.
    case day
    /// The tool called; runs are not split by tool, so their figures only appear in the total.
    case tool
}
