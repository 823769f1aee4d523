/// What a FastCGI responder sent back for one request.
struct FastCGITestResponse {
    /// Bytes of all STDOUT records.
    var stdout: [UInt8] = []
    /// True when an END_REQUEST record arrived (false: the connection closed first).
    var ended = false

    /// STDOUT as text.
    var text: String { String(decoding: stdout, as: UTF8.self) }

    /// The part after the CGI header block.
    var body: String {
        guard let range = text.range(of: "\r\n\r\n") else { return text }
        return String(text[range.upperBound...])
    }
}
