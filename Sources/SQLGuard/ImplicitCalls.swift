/// Places where PostgreSQL may call a function the query does not name as a call, so the parser
/// alone cannot tell whether user code runs: `t.f` / `(t).f` (a one-argument function on a row type,
/// "attribute notation"), unqualified operators (which resolve to user operators when the argument
/// types match), and casts (a user cast function, or a user type's input function).
/// The caller checks them against the database's catalogs in the transaction that runs the query.
public struct ImplicitCalls: Sendable, Equatable {
    /// Last names of qualified column references (`t.f` → `f`) and of `(expr).f` selections.
    public var attributeNames: Set<String> = []
    /// Names of unqualified operators (`###`, `=`).
    public var operatorNames: Set<String> = []
    /// Target types of explicit casts, as written (`int4`, `public.my_type`).
    public var castTypes: Set<String> = []

    /// Nothing to check.
    public init() {}

    /// Whether there is nothing to check.
    public var isEmpty: Bool { attributeNames.isEmpty && operatorNames.isEmpty && castTypes.isEmpty }
}
