/// Idempotency keys of chat requests, shared by every worker and host through the store's
/// `idempotency_keys` table (migration 5), so a retried request is answered once, wherever it lands.
///
/// A key belongs to a user; the row holds a fingerprint of the request body, `running` until the
/// first request finishes and then `done` with its answer.
public protocol IdempotencyStore: AnyObject {
    /// Claims `key` for a request whose body has fingerprint `requestHash`, or says why not.
    ///
    /// Exactly one of many concurrent callers gets `.claimed`. A `running` claim older than
    /// `runningTimeoutMilliseconds` (its request's worker died) can be claimed again by a request with
    /// the same body; any claim older than `IdempotencyRetention.milliseconds` is forgotten (and such
    /// rows are deleted here, opportunistically). `now` is in milliseconds since the epoch.
    func claimIdempotencyKey(userId: String, key: String, requestHash: String, now: Int64,
                             runningTimeoutMilliseconds: Int64) throws(StoreError) -> IdempotencyClaim
    /// Stores `response` as the answer of the claim made at `claimedAt`; false when that claim is no longer
    /// there (it was taken over after timing out, or released).
    @discardableResult
    func completeIdempotencyKey(userId: String, key: String, claimedAt: Int64,
                                response: IdempotentResponse) throws(StoreError) -> Bool
    /// Gives the claim made at `claimedAt` up (the request was refused before it changed anything), so a
    /// retry runs afresh.
    func releaseIdempotencyKey(userId: String, key: String, claimedAt: Int64) throws(StoreError)
}

/// How long idempotency keys are kept.
public enum IdempotencyRetention {
    /// A key is remembered this long after its first use, in milliseconds (24 hours).
    public static let milliseconds: Int64 = 86_400_000
}
