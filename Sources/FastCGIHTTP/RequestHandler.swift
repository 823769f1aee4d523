import FastCGI
import HTTP
import Logging
import Logs

/// Turns one FastCGI (or CGI) exchange into an `HTTPRequest`, lets a responder answer it, and writes the
/// response back. One per worker thread.
public final class RequestHandler: FastCGIHandler {
    private let api: any HTTPResponder
    private let maxBodyBytes: Int
    private let logger: Logger

    /// A handler that lets `responder` answer, reading bodies of at most `maxBodyBytes` bytes.
    public init(responder: any HTTPResponder, maxBodyBytes: Int, logger: Logger) {
        api = responder
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
    }

    /// Answers one request; every line logged meanwhile, on this thread or by work it hands to others,
    /// carries the request's id and user (and run, once a chat starts one): see `RequestLogContext`.
    public func handle(_ exchange: FastCGIExchange) {
        let context = RequestLogContext(requestID: exchange.requestID, user: exchange.param("AUTH_USER"))
        RequestLogContext.$current.withValue(context) { answer(exchange) }
    }

    private func answer(_ exchange: FastCGIExchange) {
        let started = ContinuousClock.now
        let response: HTTPResponse
        do {
            let request = try Self.request(from: exchange, maxBodyBytes: maxBodyBytes)
            response = api.respond(to: request)
        } catch {
            response = api.refuse(error, method: exchange.param("REQUEST_METHOD") ?? "GET", path: Self.path(exchange.params),
                                  since: started)
        }
        ResponseWriter.write(response, to: exchange, logger: logger)
    }

    /// Builds the request from FastCGI params (as nginx's `fastcgi_params` sends them) and the body.
    static func request(from exchange: FastCGIExchange, maxBodyBytes: Int) throws(APIError) -> HTTPRequest {
        let params = exchange.params
        var headers: [String: String] = [:]
        for (name, value) in params where name.hasPrefix("HTTP_") {
            headers[String(name.dropFirst(5)).replacingUnderscores()] = value
        }
        if let type = exchange.param("CONTENT_TYPE") { headers["content-type"] = type }
        if let length = exchange.param("CONTENT_LENGTH") { headers["content-length"] = length }

        let body: [UInt8]
        do {
            body = try exchange.readBody(limit: maxBodyBytes)
        } catch {
            if error.code == .bodyTooLarge { throw APIError.payloadTooLarge(limit: maxBodyBytes) }
            throw APIError(status: 400, code: .invalidJSON, message: "The request body could not be read completely.")
        }
        return HTTPRequest(method: exchange.param("REQUEST_METHOD") ?? "GET", path: path(params),
                           query: QueryString.parse(exchange.param("QUERY_STRING") ?? ""), headers: headers, body: body,
                           authenticatedUser: exchange.param("AUTH_USER"), remoteAddress: exchange.param("REMOTE_ADDR"))
    }

    /// The decoded path: nginx's DOCUMENT_URI, else CGI's SCRIPT_NAME + PATH_INFO, else REQUEST_URI without its query.
    private static func path(_ params: [String: String]) -> String {
        if let uri = params["DOCUMENT_URI"], !uri.isEmpty { return uri }
        let cgiPath = (params["SCRIPT_NAME"] ?? "") + (params["PATH_INFO"] ?? "")
        if !cgiPath.isEmpty { return cgiPath }
        let raw = params["REQUEST_URI"] ?? "/"
        return QueryString.decode(raw.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "/")
    }
}
