/// The guard's answer for one piece of SQL.
public enum GuardVerdict: Sendable, Equatable {
    /// The SQL is a single statement of this kind with nothing the guard refuses.
    case allowed(StatementKind)
    /// The SQL must not run; the refusal says why.
    case refused(GuardRefusal)

    /// The refusal, or nil when the SQL is allowed.
    public var refusal: GuardRefusal? {
        if case .refused(let refusal) = self { return refusal }
        return nil
    }
}
