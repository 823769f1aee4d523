/// What answers HTTP requests, whatever carries them (FastCGI, CGI, a test).
public protocol HTTPResponder: AnyObject {
    /// Answers one request; never throws (errors become JSON error responses).
    func respond(to request: HTTPRequest) -> HTTPResponse
    /// The answer to a request the transport refused before reading it whole (a body over the limit, a body cut
    /// short); `started` is when the request arrived.
    func refuse(_ error: APIError, method: String, path: String, since started: ContinuousClock.Instant) -> HTTPResponse
}
