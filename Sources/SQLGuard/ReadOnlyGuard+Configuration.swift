extension ReadOnlyGuard {
    /// What the guard lets through beyond its built-in allow-list of side-effect-free functions.
    public struct Configuration: Sendable {
        /// Allow calls of functions that are not on the allow-list (user-defined functions and
        /// other built-ins), except the built-ins on the deny-list, which are always refused.
        public var allowUserFunctions: Bool = false
        /// More functions to allow, as PostgreSQL stores their names (lower-case unless created
        /// with a quoted name): `"fn"` allows `fn()` and `pg_catalog.fn()`; `"myschema.fn"` allows
        /// `myschema.fn()`. The deny-list still wins.
        public var extraAllowedFunctions: Set<String> = []

        /// Creates a configuration; the defaults allow only the built-in allow-list.
        public init(allowUserFunctions: Bool = false, extraAllowedFunctions: Set<String> = []) {
            self.allowUserFunctions = allowUserFunctions
            self.extraAllowedFunctions = extraAllowedFunctions
        }
    }
}
