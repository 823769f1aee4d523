import Foundation

/// Sends exact bytes over one TCP connection to `127.0.0.1:port` and reads until the server closes:
/// for requests libcurl would refuse or repair (bad request lines, NUL bytes, lying Content-Length,
/// hand-made chunked bodies, header floods, invalid UTF-8 anywhere).
struct RawHTTPClient: Sendable {
    /// The server's port on 127.0.0.1.
    let port: Int

    /// Connects, writes `bytes`, optionally shuts down the sending side (so a server waiting for more of
    /// a body sees the end at once), then reads everything until the server closes the connection or
    /// `timeoutMilliseconds` pass since the connection was made.
    ///
    /// A write the server refuses half-way (it answered early and closed, e.g. a 413 for a body still
    /// being sent) is not an error: what the server answered is read all the same.
    func exchange(_ bytes: [UInt8], halfClose: Bool, timeoutMilliseconds: Int) throws -> RawHTTPAnswer {
        let started = ContinuousClock.now
        let fd = try connected()
        defer { close(fd) }
        let deadline = started.advanced(by: .milliseconds(timeoutMilliseconds))
        let writeFailed = !Self.sendAll(bytes, on: fd)
        if halfClose && !writeFailed { shutdown(fd, Int32(SHUT_WR)) }

        var received: [UInt8] = []
        let timedOut = try Self.read(fd, into: &received, until: deadline) { _ in false }
        let elapsed = started.duration(to: .now)
        return RawHTTPAnswer(bytes: received, seconds: Double(elapsed.components.seconds)
                                + Double(elapsed.components.attoseconds) / 1e18, timedOut: timedOut)
    }

    /// Connects, writes `bytes` and reads until `enough` holds for what arrived so far, then closes the
    /// connection without reading the rest, the way a closed browser tab leaves a stream. Returns what
    /// arrived; throws when the server ended the answer, or `timeoutMilliseconds` passed, before `enough` held.
    func readThenHangUp(_ bytes: [UInt8], timeoutMilliseconds: Int, until enough: ([UInt8]) -> Bool) throws -> [UInt8] {
        let fd = try connected()
        defer { close(fd) }
        guard Self.sendAll(bytes, on: fd) else { throw RawHTTPError("sending the request failed: errno \(errno)") }
        var received: [UInt8] = []
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(timeoutMilliseconds))
        _ = try Self.read(fd, into: &received, until: deadline, stopWhen: enough)
        guard enough(received) else {
            throw RawHTTPError("the answer ended before the client hung up: \(String(decoding: received, as: UTF8.self))")
        }
        return received
    }

    /// A socket connected to `127.0.0.1:port`; the caller closes it.
    private func connected() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawHTTPError("socket failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let failure = errno
            close(fd)
            throw RawHTTPError("connect to port \(port) failed: errno \(failure)")
        }
        return fd
    }

    /// Writes all of `bytes`; false when the server stopped taking them.
    private static func sendAll(_ bytes: [UInt8], on fd: Int32) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count > 0 {
                sent += count
            } else if !(count < 0 && errno == EINTR) {
                return false
            }
        }
        return true
    }

    /// Appends what arrives to `received` until the server closes, `stopWhen` holds or `deadline` passes;
    /// true when the deadline ended it.
    private static func read(_ fd: Int32, into received: inout [UInt8], until deadline: ContinuousClock.Instant,
                             stopWhen: ([UInt8]) -> Bool) throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !stopWhen(received) {
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero { return true }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let wait = Int32(max(1, left.components.seconds * 1_000 + left.components.attoseconds / 1_000_000_000_000_000))
            let ready = poll(&poller, 1, wait)
            if ready < 0 {
                if errno == EINTR { continue }
                throw RawHTTPError("poll failed: errno \(errno)")
            }
            if ready == 0 { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            switch count {
            case 0: return false
            case ..<0:
                if errno == EINTR { continue }
                // A reset after the answer (the server closed with unread request bytes) ends the exchange.
                return false
            default: received.append(contentsOf: buffer[..<count])
            }
        }
        return false
    }
}

/// Everything a server sent on one connection, and how long the exchange took.
struct RawHTTPAnswer: Sendable {
    /// The bytes received, unparsed.
    let bytes: [UInt8]
    /// Seconds from connecting to the server closing the connection (or the timeout).
    let seconds: Double
    /// Whether the server was still holding the connection open when the timeout passed.
    let timedOut: Bool

    /// The answer parsed as one HTTP/1.x response; nil when nothing came back. An answer that does not
    /// start with `HTTP/` (nginx answers an HTTP/0.9 request with the body alone) has a nil status.
    var response: RawHTTPResponse? {
        bytes.isEmpty ? nil : RawHTTPResponse(parsing: bytes)
    }
}

/// One HTTP response as read off the wire: an interim `100 Continue` is skipped and a chunked body is decoded.
struct RawHTTPResponse: Sendable {
    /// The status code, or nil for a body-only (HTTP/0.9) answer or an unreadable status line.
    let status: Int?
    /// Header fields in the order received.
    let headers: [(name: String, value: String)]
    /// The body, de-chunked when it came chunked.
    let body: [UInt8]

    /// The value of header `name` (case-insensitive), the last one when repeated.
    func header(_ name: String) -> String? {
        headers.last { $0.name.lowercased() == name.lowercased() }?.value
    }

    init(parsing bytes: [UInt8]) {
        var rest = bytes[...]
        while rest.starts(with: Array("HTTP/".utf8)), let end = Self.headEnd(rest) {
            let head = String(decoding: rest[rest.startIndex..<end], as: UTF8.self)
            let lines = head.components(separatedBy: "\r\n")
            let status = lines[0].split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) }
            let body = rest[(end + 4)...]
            if status == 100 {
                rest = body
                continue
            }
            let fields = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            self.status = status
            headers = fields
            let coding = fields.last { $0.name.lowercased() == "transfer-encoding" }?.value.lowercased()
            let length = fields.last { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) }
            if coding == "chunked" {
                self.body = Self.dechunk(body)
            } else if let length {
                self.body = Array(body.prefix(length))
            } else {
                self.body = Array(body)
            }
            return
        }
        status = nil
        headers = []
        body = Array(rest)
    }

    /// The index of the `\r\n\r\n` that ends the head, if the head is complete.
    private static func headEnd(_ bytes: ArraySlice<UInt8>) -> Int? {
        var index = bytes.startIndex
        while index + 3 < bytes.endIndex {
            if bytes[index] == 13, bytes[index + 1] == 10, bytes[index + 2] == 13, bytes[index + 3] == 10 { return index }
            index += 1
        }
        return nil
    }

    /// Decodes a chunked body; stops at the last chunk or at the first malformed size line.
    private static func dechunk(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard let lineEnd = bytes[index...].firstIndex(of: 10) else { break }
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self)
                .split(separator: ";").first?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            guard let size = Int(sizeText, radix: 16), size > 0 else { break }
            let start = lineEnd + 1
            let end = min(start + size, bytes.endIndex)
            output.append(contentsOf: bytes[start..<end])
            index = end + 2
        }
        return output
    }
}

/// A socket call failed before anything could be exchanged.
struct RawHTTPError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
