import Glibc

/// Standard error (fd 2) as the log's destination. spawn-fcgi -n and multiwatch keep it, so under
/// systemd the journal collects it.
enum StandardError {
    /// Writes `line` with as few `write(2)` calls as the kernel allows (one, unless it writes part of it):
    /// one call per line keeps lines from threads and processes sharing the descriptor from interleaving.
    /// Interrupted writes are retried; a failed one drops the rest of the line (there is nowhere to report it).
    @Sendable static func write(_ line: [UInt8]) {
        line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
