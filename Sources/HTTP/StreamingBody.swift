/// A response body produced while it is sent, such as server-sent events.
///
/// It is `@unchecked Sendable` because `produce` is not: a response is created, written and
/// streamed on the one thread that handles the request, and `produce` is called once, there.
public final class StreamingBody: @unchecked Sendable {
    /// Writes the whole body to the writer it is given, then returns; the response is complete
    /// when it returns, and the writer must not be used afterwards.
    public let produce: (any ResponseBodyWriter) -> Void

    /// Creates a body that `produce` writes when the response is sent.
    public init(_ produce: @escaping (any ResponseBodyWriter) -> Void) {
        self.produce = produce
    }
}
