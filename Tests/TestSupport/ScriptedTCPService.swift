import Foundation

/// A TCP service on 127.0.0.1 that is not PostgreSQL (or only pretends to be): it answers every connection
/// with fixed bytes (an HTTP error, an SSH banner, a forged PostgreSQL ErrorResponse), or with nothing at all,
/// and keeps every byte clients sent, so a test can tell what reached it.
public final class ScriptedTCPService: @unchecked Sendable {
    /// The port it listens on.
    public let port: Int
    private let descriptor: Int32
    private let answer: [UInt8]
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    private var connections = 0
    private var stopped = false

    /// Listens on a free port and serves each connection on its own thread: writes `answer` (nothing when
    /// empty), then records what the client sends until it closes, or for `holdSeconds` at most.
    public init(answer: [UInt8], holdSeconds: Int = 10) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestSupportError("socket failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 64) == 0 else {
            close(descriptor)
            throw TestSupportError("bind/listen failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        self.answer = answer
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in acceptLoop(holdSeconds: holdSeconds) }.start()
    }

    /// Stops listening (once; later calls do nothing); connections being served end on their own. Call it
    /// when done: the accepting thread keeps the service alive until then.
    public func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        if first { shutdown(descriptor, Int32(SHUT_RDWR)) }
    }

    /// Everything clients sent so far.
    public var received: [UInt8] { lock.withLock { bytes } }

    /// How many connections it accepted so far.
    public var accepted: Int { lock.withLock { connections } }

    /// A PostgreSQL ErrorResponse (`E`) with these fields (`S` severity, `C` SQLSTATE, `M` message, …), as a
    /// server sends it to refuse a connection.
    public static func errorResponse(_ fields: [(Character, String)]) -> [UInt8] {
        var body: [UInt8] = []
        for (code, value) in fields { body += Array(String(code).utf8) + Array(value.utf8) + [0] }
        body.append(0)
        let length = UInt32(body.count + 4)
        return [UInt8(ascii: "E")] + withUnsafeBytes(of: length.bigEndian) { Array($0) } + body
    }

    private func acceptLoop(holdSeconds: Int) {
        while true {
            let client = accept(descriptor, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                close(descriptor)
                return
            }
            lock.withLock { connections += 1 }
            Thread { [self] in serve(client, holdSeconds: holdSeconds) }.start()
        }
    }

    private func serve(_ client: Int32, holdSeconds: Int) {
        defer { close(client) }
        if !answer.isEmpty { _ = answer.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
        var timeout = timeval(tv_sec: holdSeconds, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(client, &buffer, buffer.count, 0)
            guard count > 0 else { return }
            lock.withLock { bytes += buffer.prefix(count) }
        }
    }
}
