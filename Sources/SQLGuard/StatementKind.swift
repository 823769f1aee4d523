/// The kind of statement the guard let through.
public enum StatementKind: String, Sendable {
    /// A query: SELECT, WITH … SELECT, VALUES or TABLE.
    case select
    /// EXPLAIN of a query, without ANALYZE (the plan only; nothing runs).
    case explain
    /// SHOW of a setting.
    case show
}
