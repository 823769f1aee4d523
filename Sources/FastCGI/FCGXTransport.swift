import CFastCGI

/// Reads and writes one request through libfcgi's FCGX streams.
///
/// It borrows the worker thread's `FCGX_Request`, which stays valid until the worker calls `FCGX_Finish_r`.
final class FCGXTransport: ExchangeTransport {
    private let request: UnsafeMutablePointer<FCGX_Request>

    init(request: UnsafeMutablePointer<FCGX_Request>) {
        self.request = request
    }

    var bodyEndsAtEndOfStream: Bool { true }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(FastCGIError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let stream = request.pointee.in
        let count = FCGX_GetStr(base.assumingMemoryBound(to: CChar.self), Int32(clamping: buffer.count), stream)
        if count < Int32(clamping: buffer.count) {
            let error = FCGX_GetError(stream)
            if error != 0 {
                throw FastCGIError(code: .readFailed, message: "reading the request body failed (libfcgi error \(error))")
            }
        }
        return Int(max(count, 0))
    }

    func write(_ buffer: UnsafeRawBufferPointer) throws(FastCGIError) {
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        while offset < buffer.count {
            // FCGX_PutStr takes an Int32 count: write very large buffers in slices.
            let length = min(buffer.count - offset, 1 << 20)
            let written = FCGX_PutStr((base + offset).assumingMemoryBound(to: CChar.self), Int32(length), request.pointee.out)
            guard written == Int32(length) else {
                throw FastCGIError(code: .clientGone, message: "writing the response failed: the web server closed the connection")
            }
            offset += length
        }
    }

    func flush() throws(FastCGIError) {
        if FCGX_FFlush(request.pointee.out) == -1 {
            throw FastCGIError(code: .clientGone, message: "flushing the response failed: the web server closed the connection")
        }
    }

    func finishOutput() throws(FastCGIError) {
        // In FCGX_Finish_r's order: closing stderr (unused) first makes stdout the last writer, so its
        // close puts the last response bytes, the end of stdout and END_REQUEST in one write(2).
        // FCGX_Finish_r then finds both streams closed and only frees the request.
        FCGX_FClose(request.pointee.err)
        if FCGX_FClose(request.pointee.out) == -1 {
            throw FastCGIError(code: .clientGone, message: "ending the response failed: the web server closed the connection")
        }
    }
}
