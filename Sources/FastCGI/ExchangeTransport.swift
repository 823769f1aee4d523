/// Moves the bytes of one request: its body in, its response out.
///
/// Two implementations: libfcgi streams (`FCGXTransport`) and plain CGI file descriptors (`CGITransport`).
protocol ExchangeTransport: AnyObject {
    /// True when the body ends at the end of the input stream (FastCGI);
    /// false when exactly CONTENT_LENGTH bytes are to be read (CGI, RFC 3875 §4.2).
    var bodyEndsAtEndOfStream: Bool { get }
    /// Reads up to `buffer.count` bytes; returns 0 at the end of the input.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(FastCGIError) -> Int
    /// Writes all of `buffer`.
    func write(_ buffer: UnsafeRawBufferPointer) throws(FastCGIError)
    /// Pushes buffered output to the client.
    func flush() throws(FastCGIError)
    /// Sends buffered output and ends the response's output; nothing may be written after it.
    func finishOutput() throws(FastCGIError)
}
