import Foundation

/// Speaks the FastCGI wire protocol (the web server's side) over one connection, so tests can
/// send requests in pieces, stall, or hang up at exact points.
final class FastCGITestClient {
    private enum RecordType: UInt8 {
        case beginRequest = 1, endRequest = 3, params = 4, stdin = 5, stdout = 6, stderr = 7
    }

    private var fd: Int32

    /// Connects to a unix socket; reads give up after `timeoutSeconds`.
    init(unixSocket path: String, timeoutSeconds: Int = 10) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try check(connected == 0, "connect \(path)")
        setTimeout(timeoutSeconds)
    }

    /// Connects to 127.0.0.1:`port`.
    init(tcpPort port: Int, timeoutSeconds: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try check(connected == 0, "connect 127.0.0.1:\(port)")
        setTimeout(timeoutSeconds)
    }

    deinit { close() }

    /// Closes the connection (the web server going away).
    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// Sends BEGIN_REQUEST for a responder.
    func begin(requestID: UInt16 = 1) throws {
        try sendRecord(.beginRequest, requestID: requestID, content: [0, 1, 0, 0, 0, 0, 0, 0])
    }

    /// Sends the parameters (in order, duplicates allowed) and the empty PARAMS record.
    func params(_ pairs: [(String, String)], requestID: UInt16 = 1) throws {
        var content: [UInt8] = []
        for (name, value) in pairs {
            content += Self.length(name.utf8.count) + Self.length(value.utf8.count) + Array(name.utf8) + Array(value.utf8)
        }
        for start in stride(from: 0, to: content.count, by: 65_535) {
            try sendRecord(.params, requestID: requestID, content: Array(content[start..<min(start + 65_535, content.count)]))
        }
        try sendRecord(.params, requestID: requestID, content: [])
    }

    /// Sends body bytes as STDIN records; `end` adds the empty record that marks the end of the body.
    func stdin(_ body: [UInt8], end: Bool = true, requestID: UInt16 = 1) throws {
        for start in stride(from: 0, to: body.count, by: 65_535) {
            try sendRecord(.stdin, requestID: requestID, content: Array(body[start..<min(start + 65_535, body.count)]))
        }
        if end { try sendRecord(.stdin, requestID: requestID, content: []) }
    }

    /// Reads records until END_REQUEST or the end of the connection.
    func readResponse() throws -> FastCGITestResponse {
        var response = FastCGITestResponse()
        while let header = try readExactly(8) {
            let length = Int(header[4]) << 8 | Int(header[5])
            guard let content = try readExactly(length), try readExactly(Int(header[6])) != nil else { break }
            switch RecordType(rawValue: header[1]) {
            case .stdout: response.stdout += content
            case .endRequest: response.ended = true; return response
            default: break
            }
        }
        return response
    }

    /// Sends a whole request (params, body, end of body) and reads the response.
    static func request(unixSocket path: String, params: [(String, String)], body: [UInt8] = []) throws -> FastCGITestResponse {
        let client = try FastCGITestClient(unixSocket: path)
        try client.begin()
        try client.params(params)
        try client.stdin(body)
        return try client.readResponse()
    }

    private static func length(_ count: Int) -> [UInt8] {
        count < 128 ? [UInt8(count)] : [UInt8(count >> 24 | 0x80), UInt8(count >> 16 & 0xff), UInt8(count >> 8 & 0xff), UInt8(count & 0xff)]
    }

    private func sendRecord(_ type: RecordType, requestID: UInt16, content: [UInt8]) throws {
        let record = [1, type.rawValue, UInt8(requestID >> 8), UInt8(requestID & 0xff),
                      UInt8(content.count >> 8), UInt8(content.count & 0xff), 0, 0] + content
        var offset = 0
        while offset < record.count {
            let sent = record[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            try check(sent > 0, "send")
            offset += sent
        }
    }

    /// Reads exactly `count` bytes; nil at the end of the connection.
    private func readExactly(_ count: Int) throws -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let received = bytes[offset...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if received == 0 { return nil }
            if received < 0 && errno == ECONNRESET { return nil }
            try check(received > 0, "recv")
            offset += received
        }
        return bytes
    }

    private func setTimeout(_ seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    private func check(_ condition: Bool, _ what: String) throws {
        if !condition { throw TestClientError(description: "\(what) failed: \(String(cString: strerror(errno)))") }
    }
}
