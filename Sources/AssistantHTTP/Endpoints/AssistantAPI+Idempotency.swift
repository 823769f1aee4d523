import ChatEngine
import HTTP
import JSON
import Platform
import Store

extension AssistantAPI {
    /// How long past the chat deadline a `running` key is still held for its first request, in milliseconds:
    /// once the deadline and this margin have passed, that request has ended or its worker died (a live
    /// worker has answered by then), and a retry may run in its place.
    static let idempotencyMarginMilliseconds: Int64 = 60_000

    /// Answers a chat request carrying an Idempotency-Key: runs `answer` once per key and user, and gives
    /// retries the first answer (`Idempotent-Replayed: true`); 409 `request_in_progress` while the first
    /// still runs, 422 `idempotency_key_reused` for another body.
    ///
    /// A request refused before it changed anything (`answer` throws: validation, a run already in progress,
    /// rate limits, the store unreachable) gives its key back, so a retry runs afresh; one that failed after
    /// its message was stored answers its error (`ChatStart.failedAfterCommit`), which retries get. A streamed
    /// answer is stored when its run ends: `answer` hands the stream the `settle` function, which the stream calls
    /// with the run's outcome as a JSON request would have been answered.
    func idempotently(_ key: IdempotencyKey, userId: String, body: JSONBody, stream: Bool,
                      _ answer: (_ settle: @escaping (IdempotentResponse) -> Void) throws(APIError) -> HTTPResponse)
        throws(APIError) -> HTTPResponse {
        let timeout = Int64(configuration.chat.deadlineMilliseconds) + Self.idempotencyMarginMilliseconds
        let claim = try withStore("claim idempotency key") { () throws(StoreError) in
            try store.claimIdempotencyKey(userId: userId, key: key.value, requestHash: IdempotencyKey.fingerprint(of: body),
                                          now: WallClock.nowMilliseconds(), runningTimeoutMilliseconds: timeout)
        }
        let claimedAt: Int64
        switch claim {
        case .claimed(let at): claimedAt = at
        case .replay(let stored): return replay(stored, stream: stream)
        case .inProgress: throw APIError.requestInProgress()
        case .mismatch: throw APIError.idempotencyKeyReused()
        }
        let response: HTTPResponse
        do {
            response = try answer { [self] outcome in completeKey(key, userId: userId, claimedAt: claimedAt, outcome) }
        } catch {
            do {
                try store.releaseIdempotencyKey(userId: userId, key: key.value, claimedAt: claimedAt)
            } catch {
                logger.error("could not release an idempotency key", metadata: ["error": "\(error.debugDescription)"])
            }
            throw error
        }
        if response.stream == nil {
            completeKey(key, userId: userId, claimedAt: claimedAt,
                        IdempotentResponse(status: response.status, body: String(decoding: response.body, as: UTF8.self)))
        }
        return response
    }

    /// The first answer again: as JSON, or (for a streaming retry) as a stream of one `run.completed` or `error` event.
    private func replay(_ stored: IdempotentResponse, stream: Bool) -> HTTPResponse {
        let replayed = [(name: "Idempotent-Replayed", value: "true")]
        guard stream else {
            return HTTPResponse(status: stored.status, headers: [("Content-Type", "application/json")] + replayed,
                                body: Array(stored.body.utf8))
        }
        let data = (try? JSONValue.parse(stored.body)) ?? .object([:])
        return .eventStream(headers: replayed, pingIntervalMilliseconds: configuration.chat.pingIntervalMilliseconds) { events in
            if stored.status < 300 {
                _ = events.send(event: "run.completed", data: data)
            } else {
                var error = data.objectValue ?? [:]
                error["status"] = .number(Double(stored.status))
                _ = events.send(event: "error", data: .object(error))
            }
        }
    }

    private func completeKey(_ key: IdempotencyKey, userId: String, claimedAt: Int64, _ response: IdempotentResponse) {
        do {
            if try !store.completeIdempotencyKey(userId: userId, key: key.value, claimedAt: claimedAt, response: response) {
                logger.warning("an idempotency key was taken over before its request finished", metadata: ["user": "\(userId)"])
            }
        } catch {
            logger.error("could not store the answer of an idempotent request", metadata: ["error": "\(error.debugDescription)"])
        }
    }
}
