import JSON

/// A tool failure the model sees as `{"success": false, "error": {"code", "message"}}`, with a
/// stable code it (and the chat loop) can act on.
public struct ToolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable code; new codes can be added without breaking anyone.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code as sent, e.g. `sql_not_read_only`.
        public let rawValue: String
        /// Creates a code from its wire form.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The wire form.
        public var description: String { rawValue }

        /// The arguments do not match the tool's schema (the message names the field).
        public static let invalidArguments = Code(rawValue: "invalid_arguments")
        /// No tool of that name (or not available for this project).
        public static let unknownTool = Code(rawValue: "unknown_tool")
        /// The SQL text does not parse.
        public static let sqlParseError = Code(rawValue: "sql_parse_error")
        /// The SQL would write or have side effects; only read-only queries may run.
        public static let sqlNotReadOnly = Code(rawValue: "sql_not_read_only")
        /// The query ran past the statement timeout.
        public static let sqlTimeout = Code(rawValue: "sql_timeout")
        /// PostgreSQL rejected the query (the message carries its error).
        public static let sqlError = Code(rawValue: "sql_error")
        /// No such table, view or schema.
        public static let relationNotFound = Code(rawValue: "relation_not_found")
        /// The schema is system- or platform-managed and may not be changed.
        public static let protectedSchema = Code(rawValue: "protected_schema")
        /// A name that is not a valid identifier.
        public static let invalidIdentifier = Code(rawValue: "invalid_identifier")
        /// The action needs the user's approval first.
        public static let confirmationRequired = Code(rawValue: "confirmation_required")
        /// The database cannot be reached.
        public static let dbUnreachable = Code(rawValue: "db_unreachable")
        /// The database role lacks a privilege.
        public static let permissionDenied = Code(rawValue: "permission_denied")
        /// The table already exists.
        public static let relationExists = Code(rawValue: "relation_exists")
        /// Other objects depend on the table and `cascade` was not given.
        public static let dependentObjects = Code(rawValue: "dependent_objects")
        /// The restore target name is taken.
        public static let restoreConflict = Code(rawValue: "restore_conflict")
        /// The approval id is unknown, used, expired, or for another user, tool, arguments, database or project.
        public static let invalidApproval = Code(rawValue: "invalid_approval")
        /// The tool needs something the caller did not provide (e.g. a database connection).
        public static let notConfigured = Code(rawValue: "not_configured")
        /// The trash schema or one of its logs is owned by, or writable by, a role other than the one pgassist
        /// connects as, so nothing read from it can be trusted; the message says how to fix it.
        public static let trashNotTrusted = Code(rawValue: "trash_not_trusted")
        /// The query reads a column (or relation) that holds secrets, which never reach the model; `column`
        /// in the details names it.
        public static let sensitiveColumn = Code(rawValue: "sensitive_column")
        /// A bug or unexpected failure; details are in the log.
        public static let internalError = Code(rawValue: "internal_error")
    }

    /// The code.
    public let code: Code
    /// A message for the model and the user: what went wrong, and what to do instead.
    public let message: String
    /// Extra fields merged into the failure result (e.g. `actionId` and `impact`, or close matches).
    public let details: [String: JSONValue]

    /// Creates an error.
    public init(_ code: Code, _ message: String, details: [String: JSONValue] = [:]) {
        self.code = code
        self.message = message
        self.details = details
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
