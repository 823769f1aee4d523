/// A failure of the thread store, with a code the HTTP edge maps to a status.
///
/// `description` is generic: store errors can carry SQL or server messages that must not reach
/// clients or (with connection strings) logs; `debugDescription` has the details for the log.
public struct StoreError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure; new codes can be added without breaking anyone.
    public struct Code: RawRepresentable, Hashable, Sendable {
        /// The code's name, e.g. `unavailable`.
        public let rawValue: String
        /// Creates a code from its name.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The store cannot be reached (connection refused, file cannot be opened).
        public static let unavailable = Code(rawValue: "unavailable")
        /// Other writers held the lock past the busy timeout.
        public static let busy = Code(rawValue: "busy")
        /// The store rejected a statement (a bug, or a schema from a newer version).
        public static let failed = Code(rawValue: "failed")
        /// The store's URL is malformed or names an unknown kind of store.
        public static let invalidConfiguration = Code(rawValue: "invalid_configuration")
        /// A record the operation needs does not exist.
        public static let notFound = Code(rawValue: "not_found")
        /// A run's driver tried to write for a run that is no longer in progress (another worker or host
        /// ended it: cancelled, or expired as abandoned); nothing was written.
        public static let runNotActive = Code(rawValue: "run_not_active")
    }

    /// What kind of failure.
    public let code: Code
    /// Details for the log (no secrets: connection strings are never put here).
    public let detail: String

    /// Creates an error.
    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// A generic text that is safe to show anywhere.
    public var description: String { "thread store error (\(code.rawValue))" }
    /// The details, for logs.
    public var debugDescription: String { "thread store error (\(code.rawValue)): \(detail)" }
}
