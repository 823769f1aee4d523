/// Why one HTTP attempt failed, and whether the SDK rules allow another.
struct AttemptFailure: Error {
    /// The error to report if no retry follows.
    var error: ModelError
    /// True for 408, 409, 429, 5xx, connection failures and timeouts (or `x-should-retry: true`).
    var retryable: Bool
    /// The delay the server asked for (`retry-after-ms` / `retry-after`), in milliseconds.
    var serverDelayMilliseconds: Int?

    init(_ error: ModelError, retryable: Bool, serverDelayMilliseconds: Int? = nil) {
        self.error = error
        self.retryable = retryable
        self.serverDelayMilliseconds = serverDelayMilliseconds
    }
}
