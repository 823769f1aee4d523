extension FastCGIExchange {
    /// The longest request id kept, in characters: the client's header is capped, it is only there to
    /// find the request in other logs.
    static let maxRequestIDLength = 64

    /// The request's id for log lines: `REQUEST_ID` (nginx: `fastcgi_param REQUEST_ID $request_id;`),
    /// else the client's `X-Request-Id`, at most 64 characters; nil when neither is there.
    public var requestID: String? { Self.requestID(in: params) }

    /// The request id `params` carry (see `requestID`).
    static func requestID(in params: [String: String]) -> String? {
        (params["REQUEST_ID"] ?? params["HTTP_X_REQUEST_ID"]).map { $0.utf8.count <= maxRequestIDLength ? $0 : String($0.prefix(maxRequestIDLength)) }
    }
}
