import Glibc
import Synchronization

/// Standard error (fd 2) as the log's destination. spawn-fcgi -n and multiwatch keep it, so under
/// systemd the journal collects it.
enum StandardError {
    /// Taken around lines longer than `PIPE_BUF`, which the kernel may write in pieces: the other threads
    /// of this process then cannot cut into them (shorter writes to a pipe are whole anyway).
    private static let longLines = Mutex(())

    /// Writes `line` with as few `write(2)` calls as the kernel allows (one, unless it writes part of it):
    /// one call per line keeps lines from threads and processes sharing the descriptor from interleaving.
    /// Interrupted writes are retried; a failed one drops the rest of the line (there is nowhere to report it).
    @Sendable static func write(_ line: [UInt8]) {
        if line.count > Int(PIPE_BUF) {
            longLines.withLock { _ in writeAll(line) }
        } else {
            writeAll(line)
        }
    }

    private static func writeAll(_ line: [UInt8]) {
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
