/// Where a `FastCGIServer` accepts connections from the web server.
public enum ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// The listening socket on fd 0, handed over by spawn-fcgi (the deployed setup).
    case inherited
    /// A unix socket at this path, created by the server (local runs and tests).
    case unixSocket(String)
    /// A TCP socket bound to `host` (an IPv4/IPv6 address or a name) and `port`.
    case tcp(host: String, port: Int)

    /// Parses a command-line value.
    ///
    /// - `/path.sock` or `./rel.sock` (anything starting with `/` or `.`): a unix socket;
    /// - `:9000`: TCP on 127.0.0.1 only, for local runs (name a host to listen elsewhere);
    /// - `host:9000` or `[::1]:9000`: TCP on that host;
    /// - `inherited`: fd 0 from spawn-fcgi.
    ///
    /// Returns nil for anything else, including ports outside 1...65535.
    public init?(parsing text: String) {
        if text == "inherited" {
            self = .inherited
            return
        }
        if text.hasPrefix("/") || text.hasPrefix(".") {
            self = .unixSocket(text)
            return
        }
        guard let colon = text.lastIndex(of: ":"),
              let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
            return nil
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        if host.isEmpty {
            host = "127.0.0.1"
        }
        self = .tcp(host: host, port: port)
    }

    /// A short form for logs: `inherited fd 0`, `unix:/path`, `tcp:host:port`.
    public var description: String {
        switch self {
        case .inherited: return "inherited fd 0"
        case .unixSocket(let path): return "unix:\(path)"
        case .tcp(let host, let port): return "tcp:\(host):\(port)"
        }
    }
}
