import Store
#if canImport(Glibc)
import Glibc
#endif

/// Where a worker keeps the counter file it shares with the other workers of its pool, in order of
/// preference: `PGASSIST_METRICS_FILE`; else next to the FastCGI socket the worker inherited from
/// spawn-fcgi as fd 0 (`/run/pgassist/pgassist.sock` → `/run/pgassist/pgassist.sock.metrics`), then in
/// /dev/shm under a name made from that socket. A worker with no inherited socket (`--listen`, CGI,
/// tests) has no pool to share with: its counters stay in its own memory.
///
/// The socket, not `THREAD_STORE_URL`, names the pool: the workers behind one socket are the ones nginx
/// spreads requests over, while one PostgreSQL store may serve several pools and hosts.
enum MetricsFileLocation {
    /// The environment variable that names the file; `off` keeps each process's counters to itself.
    static let variable = "PGASSIST_METRICS_FILE"

    /// The files to try, best first; empty when the counters should stay in this process.
    static func candidates(environment value: String? = getenv(variable).map { String(cString: $0) }) -> [String] {
        if let value {
            let trimmed = value.trimmingSpaces()
            return trimmed.isEmpty || trimmed == "off" ? [] : [trimmed]
        }
        switch inheritedSocket() {
        case .unix(let path)?:
            return [path + ".metrics", "/dev/shm/pgassist-\(getuid())-\(hex(path)).metrics"]
        case .tcp(let port)?:
            return ["/dev/shm/pgassist-\(getuid())-port\(port).metrics"]
        case nil:
            return []
        }
    }

    /// A file of another layout (another release still running, or left behind) is not ours to change:
    /// this release uses a sibling named after its layout instead.
    static func sibling(of path: String, signature: UInt64) -> String {
        path + "-" + String(signature, radix: 16)
    }

    enum Socket: Equatable {
        case unix(String)
        case tcp(port: Int)
    }

    /// The address of the socket on fd 0, when fd 0 is a bound socket (spawn-fcgi's).
    static func inheritedSocket() -> Socket? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(0, $0, &length) }
        }
        guard status == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_UNIX:
            let path = withUnsafeBytes(of: &storage) { raw -> String in
                let offset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path) ?? 2
                let bytes = raw[offset..<min(Int(length), raw.count)].prefix { $0 != 0 }
                return String(decoding: bytes, as: UTF8.self)
            }
            // An unnamed or abstract socket has no folder to put the file in.
            return path.isEmpty ? nil : .unix(path)
        case AF_INET:
            let port = withUnsafeBytes(of: &storage) { raw in raw.load(fromByteOffset: 2, as: UInt16.self) }
            return .tcp(port: Int(UInt16(bigEndian: port)))
        case AF_INET6:
            let port = withUnsafeBytes(of: &storage) { raw in raw.load(fromByteOffset: 2, as: UInt16.self) }
            return .tcp(port: Int(UInt16(bigEndian: port)))
        default:
            return nil
        }
    }

    private static func hex(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
