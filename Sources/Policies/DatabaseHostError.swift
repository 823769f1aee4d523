import Store
/// Why a connection string from a request may not be used; decided before any connection is attempted.
///
/// `message` is safe to show and to log: it names the kind and position of the refused host, or the refused
/// libpq keyword (one of libpq's own, since the string parsed), never a value from the connection string (a misplaced `@` can put part of a password in the host).
public struct DatabaseHostError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of refusal; new codes can be added without breaking anyone.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code as sent to clients, e.g. `db_host_not_allowed`.
        public let rawValue: String
        /// Creates a code from its wire form.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The wire form.
        public var description: String { rawValue }

        /// The string would connect somewhere (a host, or a port of it) not on `ALLOWED_DB_HOSTS`, or through a service
        /// definition or a `hostaddr` that cannot be checked.
        public static let hostNotAllowed = Code(rawValue: "db_host_not_allowed")
        /// This server does not take connection strings from requests (`ALLOW_REQUEST_CONNECTION_STRING`).
        public static let connectionStringNotAllowed = Code(rawValue: "connection_string_not_allowed")
        /// The string is empty, is not a URI or `key=value` string, or libpq cannot parse it.
        public static let invalidConnectionString = Code(rawValue: "invalid_connection_string")
        /// The string sets a libpq option a request may not use (see `RequestConnectionOptions`).
        public static let connectionOptionNotAllowed = Code(rawValue: "connection_option_not_allowed")
        /// A value in the string holds a control character (a byte below 0x20, or 0x7F).
        public static let controlCharacterNotAllowed = Code(rawValue: "control_character_not_allowed")
    }

    /// What kind of refusal.
    public let code: Code
    /// A message for a person: what is refused and why.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
