import Model
import Policies
import Store

extension ChatError {
    /// The error a client gets for a store failure; trying again helps when the store was busy or unreachable.
    public init(_ error: StoreError) {
        switch error.code {
        case .busy:
            self.init(.storeBusy, "The thread store is busy with other writes; try again shortly.", retryAfterSeconds: 1)
        case .unavailable:
            self.init(.storeUnavailable, "The thread store cannot be reached; try again shortly.", retryAfterSeconds: 5)
        default:
            self.init(.storeUnavailable, "The thread store failed to answer; the error has been logged.")
        }
    }

    /// The error a client gets for a model failure. The provider's own message is kept only for requests it
    /// rejected (it says what was wrong); it never holds the API key.
    public init(_ error: ModelError) {
        switch error.code {
        case .authFailed:
            self.init(.providerAuthFailed,
                      "The model provider refused this server's credentials; an administrator must fix OPENAI_API_KEY.")
        case .rateLimited:
            self.init(.providerRateLimited, "The model provider is rate-limiting this server; try again shortly.",
                      retryAfterSeconds: max(error.retryAfterSeconds ?? 10, 1))
        case .timedOut:
            self.init(.providerTimeout, "The model provider did not answer in time; try again.")
        case .connectionFailed:
            self.init(.providerUnreachable, "The model provider cannot be reached; try again shortly.")
        case .notConfigured:
            self.init(.modelNotConfigured,
                      "Chat is not available: no model provider is configured on this server (\(error.message)).")
        case .contextTooLong:
            self.init(.contextTooLong, "The conversation is too long for the model even after trimming; start a new thread.")
        case .badRequest:
            self.init(.providerRejected, "The model provider rejected the request: \(error.message)")
        default:
            self.init(.providerError, "The model provider failed (\(error.code)); try again.")
        }
    }

    /// `rate_limited`, saying which limit and when to try again.
    public init(_ refusal: RateLimitRefusal) {
        let what = refusal.limit == .runs ? "\(refusal.maximum) chat runs" : "\(refusal.maximum) model tokens"
        self.init(.rateLimited, "You reached the limit of \(what) per \(Self.duration(refusal.windowSeconds, dropOne: true)); "
                    + "try again in \(Self.duration(refusal.retryAfterSeconds)).",
                  retryAfterSeconds: Int(refusal.retryAfterSeconds))
    }

    /// A refused connection string, with the policy's own code (`db_host_not_allowed`, …) and message.
    public init(_ error: DatabaseHostError) {
        self.init(Code(rawValue: error.code.rawValue), error.message)
    }

    /// `1 hour`, `90 minutes`, `42 seconds`: the largest unit that divides evenly, for people;
    /// `hour` rather than `1 hour` with `dropOne`.
    private static func duration(_ seconds: Int64, dropOne: Bool = false) -> String {
        func plural(_ count: Int64, _ unit: String) -> String {
            count == 1 ? (dropOne ? unit : "1 \(unit)") : "\(count) \(unit)s"
        }
        if seconds >= 86_400, seconds % 86_400 == 0 { return plural(seconds / 86_400, "day") }
        if seconds >= 3_600, seconds % 3_600 == 0 { return plural(seconds / 3_600, "hour") }
        if seconds >= 60, seconds % 60 == 0 { return plural(seconds / 60, "minute") }
        return plural(seconds, "second")
    }
}
