/// An error from an HTTP request made with `HTTPClient`.
///
/// `message` comes from libcurl with the URL's user info and all header values removed (API keys
/// travel in headers); `description` names only the code.
public struct HTTPClientError: Error, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is; new codes may be added without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case couldNotConnect, timedOut, transferFailed, invalidRequest, aborted, cancelled, responseTooLarge, initFailed
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The host could not be resolved or refused the connection.
        public static let couldNotConnect = Code(.couldNotConnect)
        /// The connect timeout, the total timeout, or the idle (low-speed) timeout passed.
        public static let timedOut = Code(.timedOut)
        /// The connection broke, TLS failed, or the server sent something unreadable.
        public static let transferFailed = Code(.transferFailed)
        /// The request itself is unusable: bad URL, unsupported scheme, bad method or header.
        public static let invalidRequest = Code(.invalidRequest)
        /// The caller's `onData` returned false.
        public static let aborted = Code(.aborted)
        /// The request's `isCancelled` answered true.
        public static let cancelled = Code(.cancelled)
        /// `send` received more than `maxResponseBytes`.
        public static let responseTooLarge = Code(.responseTooLarge)
        /// libcurl could not be initialised.
        public static let initFailed = Code(.initFailed)

        /// The code's name, such as `timedOut`.
        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// libcurl's result code (`CURLcode`), 0 when the failure was found before calling libcurl.
    public let curlCode: Int32
    /// Details for a developer, free of credentials and header values.
    public let message: String

    /// Creates an error; `message` must not contain credentials or header values.
    public init(code: Code, curlCode: Int32, message: String) {
        self.code = code
        self.curlCode = curlCode
        self.message = message
    }

    /// A generic text naming only the code.
    public var description: String { "HTTPClientError.\(code)" }
    /// The code, libcurl's code and the message.
    public var debugDescription: String { "HTTPClientError.\(code) (curl \(curlCode)): \(message)" }
}
