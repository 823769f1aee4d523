#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Standard error (fd 2): the log's destination and where usage messages go. spawn-fcgi -n and
/// multiwatch keep it, so under systemd the journal collects it.
public struct StandardError: TextOutputStream {
    /// Taken around lines longer than `PIPE_BUF`, which the kernel may write in pieces: the other threads
    /// of this process then cannot cut into them (shorter writes to a pipe are whole anyway).
    private static let longLines = Mutex(())

    /// A stream for `print(…, to:)`.
    public init() {}

    /// Writes `text` as `write(_:)` writes bytes.
    public mutating func write(_ text: String) {
        Self.write(Array(text.utf8))
    }

    /// Writes `line` with as few `write(2)` calls as the kernel allows (one, unless it writes part of it):
    /// one call per line keeps lines from threads and processes sharing the descriptor from interleaving.
    /// Interrupted writes are retried; a failed one drops the rest of the line (there is nowhere to report it).
    @Sendable public static func write(_ line: [UInt8]) {
        if line.count > Int(PIPE_BUF) {
            longLines.withLock { _ in writeAll(line) }
        } else {
            writeAll(line)
        }
    }

    private static func writeAll(_ line: [UInt8]) {
        line.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(2, base + offset, buffer.count - offset)
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
