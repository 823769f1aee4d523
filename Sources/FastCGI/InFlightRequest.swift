/// What the request watchdog and the slow-request log know about a request being served: enough to
/// name it in a log line, never its query string or body (they may carry user data).
struct InFlightRequest: Sendable {
    /// The worker thread serving it (0..<threads): one request slot per thread.
    let slot: Int
    /// `REQUEST_METHOD`, or `-` when absent.
    let method: String
    /// The path without the query string: `DOCUMENT_URI`, else `SCRIPT_NAME` + `PATH_INFO`, else `REQUEST_URI` up to `?`.
    let path: String
    /// `REQUEST_ID` (nginx: `fastcgi_param REQUEST_ID $request_id;`), else the client's `X-Request-Id`
    /// (see `FastCGIExchange.requestID`).
    let requestID: String?
    /// When the request was accepted.
    let started: ContinuousClock.Instant
    /// Set once the watchdog has logged that the request passed the slow threshold.
    var reportedSlow = false

    init(slot: Int, params: [String: String], started: ContinuousClock.Instant) {
        self.slot = slot
        method = params["REQUEST_METHOD"] ?? "-"
        if let uri = params["DOCUMENT_URI"] {
            path = uri  // nginx always sends it: the CGI path is only put together without it
        } else if case let cgiPath = (params["SCRIPT_NAME"] ?? "") + (params["PATH_INFO"] ?? ""), !cgiPath.isEmpty {
            path = cgiPath
        } else {
            path = String((params["REQUEST_URI"] ?? "-").prefix { $0 != "?" })
        }
        requestID = FastCGIExchange.requestID(in: params)
        self.started = started
    }

    /// Milliseconds since the request was accepted, at `now`.
    func elapsedMilliseconds(at now: ContinuousClock.Instant) -> Int {
        let elapsed = now - started
        return Int(elapsed.components.seconds) * 1000 + Int(elapsed.components.attoseconds / 1_000_000_000_000_000)
    }
}
