import Logging
import Synchronization

/// What every log line written while a request is served carries: the request's id, the user it acts
/// for and the chat run it drives, learnt as the request goes on.
///
/// The request's handler makes one and installs it for its thread with
/// `RequestLogContext.$current.withValue(context) { … }`; code deeper down records what it learns
/// (`RequestLogContext.current?.runID = run.id`) without a logger being passed to it. Task-locals work on
/// plain threads as well as in tasks; work handed to another thread must install the context there too.
/// `metadataProvider` adds the fields to every line, whichever `Logger` writes it.
public final class RequestLogContext: Sendable {
    /// The context of the request this thread (or task) is serving, if any.
    @TaskLocal public static var current: RequestLogContext?

    /// Metadata keys of the fields, as every log line names them.
    public enum Key {
        /// The request's id (nginx's `$request_id`).
        public static let requestID = "request_id"
        /// The user the request acts for.
        public static let user = "user"
        /// The chat run the request drives.
        public static let runID = "run_id"
    }

    private struct Fields {
        var requestID: String?
        var user: String?
        var runID: String?
    }

    private let fields: Mutex<Fields>

    /// A context for a request with id `requestID` acting for `user` (either may be learnt later).
    public init(requestID: String? = nil, user: String? = nil) {
        fields = Mutex(Fields(requestID: requestID, user: user))
    }

    /// The request's id: nginx's `$request_id`, else the client's `X-Request-Id`.
    public var requestID: String? {
        get { fields.withLock { $0.requestID } }
        set { fields.withLock { $0.requestID = newValue } }
    }

    /// The user the request acts for: the authenticated user, else the `userId` the endpoint accepted.
    public var user: String? {
        get { fields.withLock { $0.user } }
        set { fields.withLock { $0.user = newValue } }
    }

    /// The chat run the request started or resumed.
    public var runID: String? {
        get { fields.withLock { $0.runID } }
        set { fields.withLock { $0.runID = newValue } }
    }

    /// The fields known so far, as log metadata (`request_id`, `user`, `run_id`).
    public var metadata: Logger.Metadata {
        let known = fields.withLock { $0 }
        var metadata: Logger.Metadata = [:]
        if let requestID = known.requestID { metadata[Key.requestID] = .string(requestID) }
        if let user = known.user { metadata[Key.user] = .string(user) }
        if let runID = known.runID { metadata[Key.runID] = .string(runID) }
        return metadata
    }

    /// Adds the current request's fields to every log line (`LoggingSystem.bootstrap(_:metadataProvider:)`).
    public static let metadataProvider = Logger.MetadataProvider {
        current?.metadata ?? [:]
    }
}
