/// Serves FastCGI requests; `FastCGIServer` makes one per worker thread.
///
/// A handler is used by one thread only, so it may own per-thread resources such as database connections.
public protocol FastCGIHandler: AnyObject {
    /// Called on the FastCGI thread that accepted the request; the response is complete when it returns.
    func handle(_ exchange: FastCGIExchange)
}
