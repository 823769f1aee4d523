extension PostgresError {
    /// The kind of a PostgreSQL error. New kinds may be added; match the ones you handle with `==`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable {
            case connectionFailed, connectionLost, queryFailed, protocolError, unsupported, invalidArgument
        }

        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// Opening (or resetting) the connection failed: bad address, refused, authentication.
        public static let connectionFailed = Code(.connectionFailed)
        /// The connection broke during a command; `reset()` or a new connection may recover.
        public static let connectionLost = Code(.connectionLost)
        /// The server rejected the statement; `sqlState` says why.
        public static let queryFailed = Code(.queryFailed)
        /// The server's reply made no sense to libpq.
        public static let protocolError = Code(.protocolError)
        /// The statement needs a feature this wrapper does not offer, such as COPY.
        public static let unsupported = Code(.unsupported)
        /// An argument cannot be sent, such as text containing a NUL character.
        public static let invalidArgument = Code(.invalidArgument)

        /// The kind's name, for logs.
        public var description: String { kind.rawValue }
    }
}
