import Platform

/// An error from the FastCGI module: reading a request body, writing a response, or running the accept loop.
///
/// `description` names only the code, so logging the error cannot leak request data;
/// `debugDescription` adds the message (paths, sizes, errno text).
public struct FastCGIError: Error, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is; new codes may be added without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case bodyTooLarge, clientGone, readFailed, requestFinished
            case listenFailed, acceptFailed, initFailed, threadFailed
            case invalidConfiguration, alreadyRunning
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The request body is longer than the limit passed to `readBody(limit:)`.
        public static let bodyTooLarge = Code(.bodyTooLarge)
        /// The web server (or the CGI caller) went away: the response cannot be delivered.
        public static let clientGone = Code(.clientGone)
        /// Reading the request body failed or it ended early.
        public static let readFailed = Code(.readFailed)
        /// The exchange was used after its request had already completed.
        public static let requestFinished = Code(.requestFinished)
        /// The listening socket could not be created or is not usable.
        public static let listenFailed = Code(.listenFailed)
        /// Accepting connections failed with an error that retrying cannot fix.
        public static let acceptFailed = Code(.acceptFailed)
        /// libfcgi could not be initialised.
        public static let initFailed = Code(.initFailed)
        /// A worker thread could not be started.
        public static let threadFailed = Code(.threadFailed)
        /// The server configuration is not usable (for example zero threads).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// `run` was called while the same server was already running.
        public static let alreadyRunning = Code(.alreadyRunning)

        /// The code's name, such as `bodyTooLarge`.
        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// Details for a developer; may name paths and sizes, never request data.
    public let message: String

    /// Creates an error with a code and a developer-facing message.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// A generic text naming only the code.
    public var description: String { "FastCGIError.\(code)" }
    /// The code and the message.
    public var debugDescription: String { "FastCGIError.\(code): \(message)" }
}

extension FastCGIError {
    /// `.threadFailed`, with the system's reason (`pthread_create failed: …`).
    init(threadFailure: NativeThreadError) {
        self.init(code: .threadFailed, message: threadFailure.description)
    }
}
