import CFastCGI
import Glibc

/// One request: its parameters, its body, and the bytes of its response.
///
/// Works over libfcgi's streams (FastCGI) or over the CGI environment and fds 0/1 (CGI mode).
/// Use it only on the thread that called `FastCGIHandler.handle` and only until `handle` returns.
public final class FastCGIExchange {
    /// All parameters (CGI meta-variables such as `REQUEST_METHOD`, `CONTENT_LENGTH`, and
    /// whatever nginx adds with `fastcgi_param`). The first occurrence of a name wins, as with
    /// `FCGX_GetParam`, and parameters with an empty value are left out: empty means absent.
    public let params: [String: String]

    /// The HTTP status of the response, read from the `Status:` line of the first bytes written
    /// (200 when they carry none, as CGI says); nil until something is written. For logs.
    public private(set) var responseStatus: Int?

    private let transport: any ExchangeTransport
    private var finished = false

    init(params: [String: String], transport: any ExchangeTransport) {
        self.params = params
        self.transport = transport
    }

    /// The value of parameter `name`, or nil when it is absent or empty.
    public func param(_ name: String) -> String? {
        params[name]
    }

    /// Reads the request body, at most `limit` bytes.
    ///
    /// Fails with `.bodyTooLarge` before reading anything when `CONTENT_LENGTH` exceeds `limit`,
    /// and otherwise as soon as the `limit + 1`-th byte arrives, so it never buffers more than
    /// `limit + 1` bytes. FastCGI reads until the end of the stdin stream; CGI reads exactly
    /// `CONTENT_LENGTH` bytes (none when it is absent). Call it once per request.
    public func readBody(limit: Int) throws(FastCGIError) -> [UInt8] {
        try checkNotFinished()
        let limit = min(max(limit, 0), Int.max - 1)
        let declared = param("CONTENT_LENGTH").flatMap { Int($0) }
        if let declared, declared > limit {
            throw FastCGIError(code: .bodyTooLarge, message: "CONTENT_LENGTH \(declared) bytes is over the limit of \(limit) bytes")
        }
        let wanted = transport.bodyEndsAtEndOfStream ? limit + 1 : (declared ?? 0)
        var body: [UInt8] = []
        body.reserveCapacity(min(declared ?? 0, wanted))
        // Most requests (every GET) have no body: start with a small chunk, grow it once it fills up.
        var chunk = [UInt8](repeating: 0, count: min(max(declared ?? 0, 0) + 1, 16_384))
        while body.count < wanted {
            let room = min(chunk.count, wanted - body.count)
            let count = try chunk.withUnsafeMutableBytes { buffer in
                Result { () throws(FastCGIError) in
                    try transport.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[..<room]))
                }
            }.get()
            if count == 0 { break }
            body.append(contentsOf: chunk[..<count])
            if count == chunk.count && chunk.count < 16_384 { chunk = [UInt8](repeating: 0, count: 16_384) }
        }
        if body.count > limit {
            throw FastCGIError(code: .bodyTooLarge, message: "the request body is over the limit of \(limit) bytes")
        }
        if !transport.bodyEndsAtEndOfStream && body.count < wanted {
            throw FastCGIError(code: .readFailed, message: "the request body ended after \(body.count) of \(wanted) bytes")
        }
        return body
    }

    /// Writes response bytes (headers first, CGI style: `Status: 200 OK\r\n…\r\n\r\n`, then the body).
    /// Throws `.clientGone` when the web server closed the connection.
    public func write(_ bytes: [UInt8]) throws(FastCGIError) {
        try bytes.withUnsafeBytes { buffer in Result { () throws(FastCGIError) in try write(buffer) } }.get()
    }

    /// Writes the UTF-8 bytes of `text`.
    public func write(_ text: String) throws(FastCGIError) {
        var text = text
        try text.withUTF8 { buffer in
            Result { () throws(FastCGIError) in try write(UnsafeRawBufferPointer(buffer)) }
        }.get()
    }

    /// Writes the bytes in `buffer` without copying them first (for relaying a stream).
    public func write(_ buffer: UnsafeRawBufferPointer) throws(FastCGIError) {
        try checkNotFinished()
        if responseStatus == nil && !buffer.isEmpty {
            responseStatus = Self.status(inHead: buffer)
        }
        try transport.write(buffer)
    }

    /// Sends buffered response bytes now (for streaming, e.g. server-sent events).
    public func flush() throws(FastCGIError) {
        try checkNotFinished()
        try transport.flush()
    }

    /// Sends the rest of a complete response and ends it. Over FastCGI the last bytes, the end of the
    /// output stream and the end of the request leave in one write, where `flush()` and the end of the
    /// request would take two. Later writes, flushes and `end()` throw `.requestFinished`.
    /// Throws `.clientGone` when the web server closed the connection.
    public func end() throws(FastCGIError) {
        try checkNotFinished()
        finished = true
        try transport.finishOutput()
    }

    /// Marks the request as complete; later calls throw `.requestFinished`.
    func finish() {
        finished = true
    }

    private func checkNotFinished() throws(FastCGIError) {
        if finished {
            throw FastCGIError(code: .requestFinished, message: "the exchange was used after its request completed")
        }
    }

    /// The status of a CGI response head (`Status: 404 Not Found` on any header line of the first
    /// 4 KiB, case-insensitive), or 200 when there is no such line.
    static func status(inHead buffer: UnsafeRawBufferPointer) -> Int {
        let head = buffer.prefix(4096)
        var lineStart = head.startIndex
        while lineStart < head.endIndex {
            let lineEnd = head[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? head.endIndex
            let line = head[lineStart..<lineEnd]
            if line.isEmpty || line.elementsEqual([UInt8(ascii: "\r")]) { break }  // the blank line ends the head
            let name = Array("status:".utf8)
            if line.count >= name.count + 3,
               zip(line.prefix(name.count), name).allSatisfy({ ($0 | 0x20) == ($1 | 0x20) }) {
                let digits = line.dropFirst(name.count).drop { $0 == UInt8(ascii: " ") }.prefix(3)
                if digits.count == 3, digits.allSatisfy({ (48...57).contains($0) }) {
                    return digits.reduce(0) { $0 * 10 + Int($1 - 48) }
                }
            }
            lineStart = lineEnd < head.endIndex ? head.index(after: lineEnd) : head.endIndex
        }
        return 200
    }

    /// Parses `NAME=value` strings: first occurrence wins, empty values are dropped.
    static func parseParams<Entries: Sequence<String>>(_ entries: Entries) -> [String: String] {
        var parser = ParamParser()
        for var entry in entries {
            entry.withUTF8 { parser.add($0) }
        }
        return parser.finish()
    }

    /// Reads a NULL-terminated `NAME=value` array such as libfcgi's `envp` or `environ`.
    static func parseParams(environment: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String: String] {
        var parser = ParamParser()
        if var cursor = environment {
            while let entry = cursor.pointee {
                let length = strlen(entry)
                entry.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
                    parser.add(UnsafeBufferPointer(start: bytes, count: length))
                }
                cursor += 1
            }
        }
        return parser.finish()
    }
}
