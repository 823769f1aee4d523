import Glibc

/// The socket the worker threads accept connections on: fd 0 from spawn-fcgi, or one this process created.
///
/// Created sockets are closed (and their unix socket file removed) in `deinit`; the inherited fd 0 is
/// shared with the other worker processes and is never closed, and shut down only when the whole
/// pool stops (`shutDownForNewConnections`).
final class ListeningSocket: Sendable {
    /// The listening file descriptor.
    let fd: Int32
    /// AF_UNIX, AF_INET or AF_INET6.
    let family: Int32
    /// True for a socket this process created; false for the inherited fd 0, which other workers share.
    let owned: Bool
    private let socketFile: (path: String, device: UInt, inode: UInt)?

    private init(fd: Int32, family: Int32, owned: Bool, socketFile: (path: String, device: UInt, inode: UInt)?) {
        self.fd = fd
        self.family = family
        self.owned = owned
        self.socketFile = socketFile
    }

    deinit {
        guard owned else { return }
        close(fd)
        // Remove the socket file only if it is still ours (a newer server may have replaced it).
        if let socketFile {
            var status = stat()
            if lstat(socketFile.path, &status) == 0, UInt(status.st_dev) == socketFile.device, UInt(status.st_ino) == socketFile.inode {
                unlink(socketFile.path)
            }
        }
    }

    /// Opens the socket for `address`.
    ///
    /// libfcgi's `FCGX_OpenSocket` is not used: it unlinks whatever file is at the path, and some
    /// versions call `exit()` when bind fails. Here a stale unix socket file is removed only when
    /// no server answers on it, and failures are thrown.
    static func open(_ address: ListenAddress, backlog: Int32, socketMode: Int) throws(FastCGIError) -> ListeningSocket {
        switch address {
        case .inherited:
            return try inherited()
        case .unixSocket(let path):
            return try unixSocket(path: path, backlog: backlog, mode: socketMode)
        case .tcp(let host, let port):
            return try tcp(host: host, port: port, backlog: backlog)
        }
    }

    /// Sets how long one `accept` waits before returning EAGAIN, so that worker threads notice a stop
    /// request without being signalled. On a shared socket this applies to every process using it,
    /// which is fine when they all run this code.
    func setAcceptTimeout(milliseconds: Int) throws(FastCGIError) {
        if !Self.setReceiveTimeout(fd, milliseconds: milliseconds) {
            throw Self.failure("setting SO_RCVTIMEO on the listening socket")
        }
    }

    /// Makes a unix socket refuse new connections (ECONNREFUSED, which nginx answers 502 at once or
    /// passes to its next upstream server) while `accept` still returns the connections already queued,
    /// then fails with EINVAL once the queue is empty. Affects every process sharing the socket.
    /// Returns false, doing nothing, for TCP, where shutting a listener down drops its queue.
    func shutDownForNewConnections() -> Bool {
        guard family == AF_UNIX else { return false }
        return shutdown(fd, Int32(SHUT_RD)) == 0
    }

    /// Sets SO_RCVTIMEO on `fd`; 0 means wait forever.
    static func setReceiveTimeout(_ fd: Int32, milliseconds: Int) -> Bool {
        var timeout = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)) == 0
    }

    private static func inherited() throws(FastCGIError) -> ListeningSocket {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0, accepting == 1 else {
            throw FastCGIError(code: .listenFailed, message: "fd 0 is not a listening socket: start the server under spawn-fcgi or give a listen address")
        }
        var family: Int32 = 0
        length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(0, SOL_SOCKET, SO_DOMAIN, &family, &length)
        return ListeningSocket(fd: 0, family: family, owned: false, socketFile: nil)
    }

    private static func unixSocket(path: String, backlog: Int32, mode: Int) throws(FastCGIError) -> ListeningSocket {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !pathBytes.isEmpty, pathBytes.count < capacity else {
            throw FastCGIError(code: .listenFailed, message: "unix socket path is empty or longer than \(capacity - 1) bytes: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: pathBytes) }

        try removeStaleSocket(at: path, address: address)

        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure("socket(AF_UNIX)") }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, backlog) == 0 else {
            let error = failure("binding \(path)")
            close(fd)
            throw error
        }
        var status = stat()
        guard chmod(path, mode_t(mode)) == 0, lstat(path, &status) == 0 else {
            let error = failure("chmod \(path)")
            close(fd)
            unlink(path)
            throw error
        }
        return ListeningSocket(fd: fd, family: AF_UNIX, owned: true,
                               socketFile: (path, UInt(status.st_dev), UInt(status.st_ino)))
    }

    /// Removes a socket file left behind by a server that is gone; refuses a path a live server answers on
    /// or one that is not a socket.
    private static func removeStaleSocket(at path: String, address: sockaddr_un) throws(FastCGIError) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard status.st_mode & S_IFMT == S_IFSOCK else {
            throw FastCGIError(code: .listenFailed, message: "\(path) exists and is not a socket")
        }
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else { throw failure("socket(AF_UNIX)") }
        var address = address
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(probe)
        if connected == 0 {
            throw FastCGIError(code: .listenFailed, message: "another server is listening on \(path)")
        }
        unlink(path)
    }

    private static func tcp(host: String, port: Int, backlog: Int32) throws(FastCGIError) -> ListeningSocket {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            throw FastCGIError(code: .listenFailed, message: "cannot resolve \(host): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(list) }
        let info = first.pointee
        let fd = socket(info.ai_family, info.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.ai_protocol)
        guard fd >= 0 else { throw failure("socket") }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, info.ai_addr, info.ai_addrlen) == 0, listen(fd, backlog) == 0 else {
            let error = failure("binding \(host):\(port)")
            close(fd)
            throw error
        }
        return ListeningSocket(fd: fd, family: info.ai_family, owned: true, socketFile: nil)
    }

    private static func failure(_ what: String) -> FastCGIError {
        FastCGIError(code: .listenFailed, message: "\(what) failed: \(String(cString: strerror(errno)))")
    }
}
