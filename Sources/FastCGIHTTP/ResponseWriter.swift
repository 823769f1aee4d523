import FastCGI
import HTTP
import Logging

/// Writes an `HTTPResponse` as a CGI response (a `Status:` line, headers, a blank line, the body).
enum ResponseWriter {
    /// Writes `response`; a client that went away is logged at debug level and otherwise ignored.
    static func write(_ response: HTTPResponse, to exchange: FastCGIExchange, logger: Logger) {
        var head = "Status: \(response.status) \(HTTPStatus.reasonPhrase(response.status))\r\n"
        head.reserveCapacity(256)  // room for the usual headers: one allocation instead of several
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        if let stream = response.stream {
            head += "Cache-Control: no-store\r\n\r\n"
            writeStreamed(stream, head: head, status: response.status, to: exchange, logger: logger)
            return
        }
        head += "Content-Length: \(response.body.count)\r\n"
        head += "Cache-Control: no-store\r\n\r\n"
        do {
            try exchange.write(head)
            try exchange.write(response.body)
            try exchange.end()
        } catch {
            logger.debug("client went away before the response was written", metadata: ["status": "\(response.status)"])
        }
    }

    /// Flushes `head` (no `Content-Length`), then lets `stream` produce its body into the exchange.
    /// `produce` runs even when the client is already gone: its writer then just answers false,
    /// and the work it does besides writing (such as finishing a run) still happens.
    private static func writeStreamed(_ stream: StreamingBody, head: String, status: Int,
                                      to exchange: FastCGIExchange, logger: Logger) {
        let writer = ExchangeBodyWriter(exchange: exchange)
        _ = writer.send(Array(head.utf8))
        stream.produce(writer)
        if let failure = writer.failure {
            logger.debug("client went away during a streamed response",
                         metadata: ["status": "\(status)", "error": "\(failure)"])
        }
    }
}
