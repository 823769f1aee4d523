extension ReadOnlyGuard {
    /// What the guard learnt of one piece of SQL.
    public struct Inspection: Sendable {
        /// Whether it may run.
        public var verdict: GuardVerdict
        /// The one statement's text as the parser delimited it (without a terminating `;` and what follows,
        /// so it can be nested in other SQL: end it with a line break, it may end in a `--` comment); for a
        /// refused query the SQL unchanged.
        public var statement: String
        /// For an allowed EXPLAIN, its options and the query it explains.
        public var explain: ExplainRequest?
        /// The types the query names (casts, column definition lists), spelled for `to_regtype`.
        public var typeNames: Set<String> = []
        /// The relations the query names, spelled for `to_regclass`.
        public var relationNames: Set<String> = []
        /// The names the query may call functions by (calls, attribute notation).
        public var routineNames: Set<String> = []
        /// The operators the query names, and those SQL syntax uses without naming them.
        public var operatorNames: Set<String> = []
    }
}
