extension GuardRefusal {
    /// The kind of a refusal, as a name (`functionNotAllowed`). New kinds may be added; match the
    /// ones you handle with `==` and treat the rest alike.
    public struct Reason: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        /// The reason's name, stable for logs and API codes.
        public let rawValue: String

        /// A reason with the given name.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// The SQL is not valid PostgreSQL syntax (or could not be handed to the parser).
        public static let parseError = Reason(rawValue: "parseError")
        /// The SQL holds no statement: empty, blank or only comments.
        public static let emptyQuery = Reason(rawValue: "emptyQuery")
        /// The SQL holds more than one statement.
        public static let multipleStatements = Reason(rawValue: "multipleStatements")
        /// The statement is not SELECT, EXPLAIN (of a SELECT) or SHOW.
        public static let statementNotAllowed = Reason(rawValue: "statementNotAllowed")
        /// INSERT, UPDATE, DELETE or MERGE inside the query (a data-modifying WITH).
        public static let dataModifyingCTE = Reason(rawValue: "dataModifyingCTE")
        /// SELECT … INTO, which creates a table.
        public static let selectInto = Reason(rawValue: "selectInto")
        /// FOR UPDATE, FOR NO KEY UPDATE, FOR SHARE or FOR KEY SHARE.
        public static let lockingClause = Reason(rawValue: "lockingClause")
        /// EXPLAIN ANALYZE, which runs the statement.
        public static let explainAnalyze = Reason(rawValue: "explainAnalyze")
        /// A call of a function that is not known to be free of side effects.
        public static let functionNotAllowed = Reason(rawValue: "functionNotAllowed")
        /// A read of a catalog that holds credentials.
        public static let relationNotAllowed = Reason(rawValue: "relationNotAllowed")
        /// An operator named with a schema other than pg_catalog (a user-defined operator).
        public static let operatorNotAllowed = Reason(rawValue: "operatorNotAllowed")
        /// Reading a server setting that may hold a secret (SHOW, current_setting).
        public static let settingNotAllowed = Reason(rawValue: "settingNotAllowed")

        /// The reason's name.
        public var description: String { rawValue }
    }
}
