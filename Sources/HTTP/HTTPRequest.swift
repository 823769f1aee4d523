/// An HTTP request as the application sees it, independent of how it arrived (FastCGI, CGI, tests).
public struct HTTPRequest: Sendable {
    /// The method in upper case, e.g. `GET`.
    public var method: String
    /// The decoded path without the query string, e.g. `/api/ai/assistant/thread`.
    public var path: String
    /// Query parameters, percent-decoded; when a name repeats, the first value wins.
    public var query: [String: String]
    /// Request headers keyed by lower-case name.
    public var headers: [String: String]
    /// The request body (already capped by the transport).
    public var body: [UInt8]
    /// The user that the front server authenticated (nginx's `AUTH_USER` param), when there is one.
    public var authenticatedUser: String?
    /// The client address as the front server saw it.
    public var remoteAddress: String?

    /// Creates a request; `headers` names are lower-cased here.
    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:],
                body: [UInt8] = [], authenticatedUser: String? = nil, remoteAddress: String? = nil) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        if headers.keys.allSatisfy(Self.isLowercaseASCII) {
            self.headers = headers  // already lower case (what RequestHandler builds): no second dictionary
        } else {
            var lowered: [String: String] = [:]
            for (name, value) in headers { lowered[Self.lowercasedName(name)] = value }
            self.headers = lowered
        }
        self.body = body
        self.authenticatedUser = authenticatedUser
        self.remoteAddress = remoteAddress
    }

    /// `name` in lower case; names that already are (what `RequestHandler` passes) are kept as they are.
    private static func lowercasedName(_ name: String) -> String {
        isLowercaseASCII(name) ? name : name.lowercased()
    }

    private static func isLowercaseASCII(_ name: String) -> Bool {
        name.utf8.allSatisfy { $0 < 0x80 && !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
    }

    /// The value of header `name` (case-insensitive), or nil.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The media type of the body without parameters, lower-cased (`application/json`), or nil.
    public var mediaType: String? {
        guard let value = header("content-type") else { return nil }
        let type = value.split(separator: ";", maxSplits: 1).first.map(String.init) ?? value
        let trimmed = type.trimmingASCIIWhitespace().lowercased()
        return trimmed.isEmpty ? nil : trimmed
    }
}
