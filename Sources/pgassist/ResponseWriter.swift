import FastCGI
import HTTP
import Logging

/// Writes an `HTTPResponse` as a CGI response (a `Status:` line, headers, a blank line, the body).
enum ResponseWriter {
    /// Writes `response`; a client that went away is logged at debug level and otherwise ignored.
    static func write(_ response: HTTPResponse, to exchange: FastCGIExchange, logger: Logger) {
        var head = "Status: \(response.status) \(HTTPStatus.reasonPhrase(response.status))\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(response.body.count)\r\n"
        head += "Cache-Control: no-store\r\n\r\n"
        do {
            try exchange.write(head)
            try exchange.write(response.body)
            try exchange.flush()
        } catch {
            logger.debug("client went away before the response was written", metadata: ["status": "\(response.status)"])
        }
    }
}
