/// The state libcurl's header and write callbacks share during one transfer.
///
/// Passed to the C callbacks as an unretained pointer; the transfer keeps it alive.
final class TransferContext {
    private let onHead: (Int, [(name: String, value: String)]) -> Void
    private let onData: (UnsafeRawBufferPointer) -> Bool
    private let isCancelled: (@Sendable () -> Bool)?
    private var status = 0
    private var headers: [(name: String, value: String)] = []
    private var headDelivered = false
    /// Set when `onData` returned false, to tell an abort from a real write error.
    private(set) var abortedByCaller = false
    /// Set when `isCancelled` answered true.
    private(set) var cancelled = false

    init(onHead: @escaping (Int, [(name: String, value: String)]) -> Void,
         onData: @escaping (UnsafeRawBufferPointer) -> Bool, isCancelled: (@Sendable () -> Bool)? = nil) {
        self.onHead = onHead
        self.onData = onData
        self.isCancelled = isCancelled
    }

    /// Whether the caller gave up on the transfer; libcurl's progress callback asks, and aborts on true.
    func checkCancelled() -> Bool {
        if !cancelled, let isCancelled, isCancelled() { cancelled = true }
        return cancelled
    }

    /// Takes one header line as libcurl delivers it (status line, header, or the blank end line).
    func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        guard !headDelivered else { return }  // trailers after a chunked body
        var end = bytes.count
        while end > 0, bytes[end - 1] == 13 || bytes[end - 1] == 10 { end -= 1 }
        let line = Substring(String(decoding: UnsafeRawBufferPointer(rebasing: bytes[..<end]), as: UTF8.self))
        if line.hasPrefix("HTTP/") {
            // A new response starts (after 1xx interim responses, too): forget earlier headers.
            let parts = line.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = []
        } else if line.isEmpty {
            if status >= 200 || status == 101 { deliverHead(status: status) }
        } else if let first = line.first, first == " " || first == "\t", !headers.isEmpty {
            headers[headers.count - 1].value += " " + Self.trimmed(line)  // obsolete line folding
        } else if let colon = line.firstIndex(of: ":") {
            headers.append((name: String(line[..<colon]), value: Self.trimmed(line[line.index(after: colon)...])))
        }
    }

    /// Takes one chunk of the body; false asks libcurl to abort.
    func receiveData(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if !headDelivered { deliverHead(status: status) }
        if onData(bytes) { return true }
        abortedByCaller = true
        return false
    }

    /// Delivers the head if no body arrived (HEAD, 204, empty bodies).
    func finish(status fallbackStatus: Int) {
        if !headDelivered { deliverHead(status: status == 0 ? fallbackStatus : status) }
    }

    private func deliverHead(status: Int) {
        headDelivered = true
        onHead(status, headers)
    }

    private static func trimmed(_ text: Substring) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
