internal import FoundationEssentials

/// An HTTP response the application produced: status, headers and either a complete body or a
/// body streamed while it is produced.
public struct HTTPResponse: Sendable {
    /// The status code, e.g. 200.
    public var status: Int
    /// Response headers in the order they are sent.
    public var headers: [(name: String, value: String)]
    /// The complete body; ignored when `stream` is set.
    public var body: [UInt8]
    /// A body sent while it is produced, without a `Content-Length`; nil for the complete `body`.
    public var stream: StreamingBody?

    /// Creates a response with a complete `body`, or a streamed one when `stream` is set.
    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
                stream: StreamingBody? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.stream = stream
    }

    /// A server-sent events response: `produce` sends events on an `EventStream` that pings after
    /// `pingIntervalMilliseconds` of silence, and the stream is closed when `produce` returns.
    ///
    /// Sets `Content-Type: text/event-stream; charset=utf-8` and `X-Accel-Buffering: no` (so that
    /// nginx passes each event on at once), followed by `headers`.
    public static func eventStream(status: Int = 200, headers: [(name: String, value: String)] = [],
                                   pingIntervalMilliseconds: Int,
                                   _ produce: @escaping (EventStream) -> Void) -> HTTPResponse {
        let streamHeaders: [(name: String, value: String)] = [
            ("Content-Type", "text/event-stream; charset=utf-8"),
            ("X-Accel-Buffering", "no"),
        ]
        return HTTPResponse(status: status, headers: streamHeaders + headers, stream: StreamingBody { writer in
            let events = EventStream(writer: writer, pingIntervalMilliseconds: pingIntervalMilliseconds)
            defer { events.close() }
            produce(events)
        })
    }

    /// A JSON response with `value` encoded as its body.
    public static func json<Value: Encodable>(_ value: Value, status: Int = 200) -> HTTPResponse {
        do {
            return HTTPResponse(status: status, headers: [("Content-Type", "application/json")],
                                body: try JSONCoding.encode(value))
        } catch {
            return HTTPResponse(error: .internalError())
        }
    }

    /// A JSON response whose body is already encoded (e.g. by `JSONWriter`).
    public static func json(encoded body: [UInt8], status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: body)
    }

    /// The JSON error response for `error`: `{"error": "...", "code": "..."}` with its status and headers.
    public init(error: APIError) {
        self.status = error.status
        self.headers = [("Content-Type", "application/json")] + error.headers
        self.body = (try? JSONCoding.encode(error.body)) ?? Array(#"{"error":"Internal error.","code":"internal_error"}"#.utf8)
        self.stream = nil
    }

    /// The value of header `name` (case-insensitive; the last one wins), or nil.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.last(where: { $0.name.lowercased() == wanted })?.value
    }
}
