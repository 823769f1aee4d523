/// An HTTP request for `HTTPClient`.
public struct HTTPClientRequest: Sendable {
    /// The method, such as `GET`, `POST`, `DELETE`.
    public var method: String
    /// An absolute `http://` or `https://` URL; other schemes are refused.
    public var url: String
    /// Request headers in order; a header with an empty value is sent empty.
    public var headers: [(name: String, value: String)]
    /// The request body, sent with a Content-Length (no `Expect: 100-continue` round trip);
    /// nil sends none.
    public var body: [UInt8]?
    /// The whole exchange (connect, send, receive) must finish within this many milliseconds;
    /// 0 removes the limit (for long streams, rely on `idleTimeoutMilliseconds`).
    public var timeoutMilliseconds: Int
    /// Connecting (DNS, TCP, TLS handshake) must finish within this many milliseconds.
    public var connectTimeoutMilliseconds: Int
    /// The transfer is abandoned when less than 1 byte per second moves for this many milliseconds
    /// (rounded up to whole seconds; libcurl averages the speed over the last few seconds, so a stall
    /// right after a burst is noticed a little later); 0 uses `timeoutMilliseconds`.
    public var idleTimeoutMilliseconds: Int
    /// `send` fails with `.responseTooLarge` beyond this many body bytes (`stream` ignores it).
    public var maxResponseBytes: Int
    /// Asked before the transfer starts, whenever data moves and about once a second while it waits;
    /// once it answers true the transfer is abandoned with `.cancelled`. Called on the requesting
    /// thread while another thread may be the one that decides, so it must be safe from any thread.
    public var isCancelled: (@Sendable () -> Bool)?

    /// Creates a request; by default a GET with a 30 s total and 5 s connect timeout.
    public init(method: String = "GET", url: String, headers: [(name: String, value: String)] = [],
                body: [UInt8]? = nil, timeoutMilliseconds: Int = 30_000, connectTimeoutMilliseconds: Int = 5_000,
                idleTimeoutMilliseconds: Int = 0, maxResponseBytes: Int = 64 << 20,
                isCancelled: (@Sendable () -> Bool)? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.idleTimeoutMilliseconds = idleTimeoutMilliseconds
        self.maxResponseBytes = maxResponseBytes
        self.isCancelled = isCancelled
    }
}
