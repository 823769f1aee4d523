import Glibc

/// Reads and writes one CGI request over plain file descriptors (stdin and stdout in CGI mode).
final class CGITransport: ExchangeTransport {
    private let input: Int32
    private let output: Int32

    init(input: Int32, output: Int32) {
        self.input = input
        self.output = output
    }

    var bodyEndsAtEndOfStream: Bool { false }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(FastCGIError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let count = Glibc.read(input, base, buffer.count)
            if count >= 0 { return count }
            let error = errno
            if error == EINTR { continue }
            throw FastCGIError(code: .readFailed, message: "reading the request body failed: \(String(cString: strerror(error)))")
        }
    }

    func write(_ buffer: UnsafeRawBufferPointer) throws(FastCGIError) {
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        while offset < buffer.count {
            let written = Glibc.write(output, base + offset, buffer.count - offset)
            if written >= 0 {
                offset += written
                continue
            }
            let error = errno
            if error == EINTR { continue }
            throw FastCGIError(code: .clientGone, message: "writing the response failed: \(String(cString: strerror(error)))")
        }
    }

    func flush() throws(FastCGIError) {
        // Writes go straight to the file descriptor: nothing is buffered here.
    }

    func finishOutput() throws(FastCGIError) {
        // Nothing buffered; stdout closes when the process exits.
    }
}
