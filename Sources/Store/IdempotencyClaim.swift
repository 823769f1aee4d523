/// What the store answered when a request tried to claim its idempotency key.
public enum IdempotencyClaim: Sendable, Equatable {
    /// The key is this request's: run it, then complete (or release) the claim made at `at`
    /// (milliseconds since the epoch; it identifies this claim if the key is ever taken over).
    case claimed(at: Int64)
    /// An earlier request with the key and the same body finished: answer what it answered.
    case replay(IdempotentResponse)
    /// An earlier request with the key and the same body is still running.
    case inProgress
    /// The key was used for a request with a different body.
    case mismatch
}

/// The answer stored for a finished request: its status and its JSON body.
public struct IdempotentResponse: Sendable, Equatable {
    /// The HTTP status it was answered with, e.g. 200.
    public let status: Int
    /// Its JSON body (for a streamed request: the `run.completed` data, or the error).
    public let body: String

    /// Creates a stored response.
    public init(status: Int, body: String) {
        self.status = status
        self.body = body
    }
}
