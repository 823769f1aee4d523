internal import FoundationEssentials

/// An HTTP response the application produced: status, headers and a complete body.
public struct HTTPResponse: Sendable {
    /// The status code, e.g. 200.
    public var status: Int
    /// Response headers in the order they are sent.
    public var headers: [(name: String, value: String)]
    /// The complete body.
    public var body: [UInt8]

    /// Creates a response.
    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
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

    /// The JSON error response for `error`: `{"error": "...", "code": "..."}` with its status and headers.
    public init(error: APIError) {
        self.status = error.status
        self.headers = [("Content-Type", "application/json")] + error.headers
        self.body = (try? JSONCoding.encode(error.body)) ?? Array(#"{"error":"Internal error.","code":"internal_error"}"#.utf8)
    }

    /// The value of header `name` (case-insensitive; the last one wins), or nil.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.last(where: { $0.name.lowercased() == wanted })?.value
    }
}
