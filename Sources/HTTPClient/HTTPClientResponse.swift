/// A complete HTTP response returned by `HTTPClient.send`.
public struct HTTPClientResponse: Sendable {
    /// The status code, such as 200.
    public let status: Int
    /// Response headers in the order received (names as the server spelled them).
    public let headers: [(name: String, value: String)]
    /// The body bytes (already de-chunked).
    public let body: [UInt8]

    /// Creates a response (for tests and fakes).
    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of header `name`, compared case-insensitively; the last one wins when repeated.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.last { $0.name.lowercased() == wanted }?.value
    }

    /// The body decoded as UTF-8 (invalid bytes become U+FFFD).
    public var text: String {
        String(decoding: body, as: UTF8.self)
    }
}
