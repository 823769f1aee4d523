/// Turns a `text/event-stream` body into events, whatever the chunk boundaries.
///
/// Lines end with LF, CRLF or CR (a CRLF split across two chunks counts once); `:` lines are
/// comments; an empty line dispatches the event; events without data are dropped; `id:` and
/// `retry:` are ignored. `[DONE]` is an ordinary data payload left to the dialect.
public struct SSEParser: Sendable {
    private var line: [UInt8] = []
    private var lastWasCR = false
    private var sawFirstLine = false
    private var eventName: String?
    private var dataLines: [String] = []

    /// Creates a parser at the start of a stream.
    public init() {}

    /// Feeds the next bytes and returns the events they complete.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) -> [SSEEvent] {
        var events: [SSEEvent] = []
        for byte in bytes {
            if byte == 10 && lastWasCR {
                lastWasCR = false
                continue
            }
            lastWasCR = byte == 13
            if byte == 10 || byte == 13 {
                if let event = endLine() { events.append(event) }
            } else {
                line.append(byte)
            }
        }
        return events
    }

    /// Feeds the next bytes and returns the events they complete.
    public mutating func feed(_ bytes: [UInt8]) -> [SSEEvent] {
        bytes.withUnsafeBytes { feed($0) }
    }

    /// Ends the stream. An event never closed by an empty line is discarded (as browsers do), so
    /// this returns no events; it resets the parser for reuse.
    public mutating func finish() -> [SSEEvent] {
        self = SSEParser()
        return []
    }

    private mutating func endLine() -> SSEEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if !sawFirstLine {
            sawFirstLine = true
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        }
        if line.isEmpty {
            defer {
                eventName = nil
                dataLines = []
            }
            guard !dataLines.isEmpty else { return nil }
            return SSEEvent(event: eventName, data: dataLines.joined(separator: "\n"))
        }
        if line.first == UInt8(ascii: ":") { return nil }
        let field: String
        let value: String
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = String(decoding: line[..<colon], as: UTF8.self)
            var start = colon + 1
            if start < line.count && line[start] == UInt8(ascii: " ") { start += 1 }
            value = String(decoding: line[start...], as: UTF8.self)
        } else {
            field = String(decoding: line, as: UTF8.self)
            value = ""
        }
        switch field {
        case "event": eventName = value.isEmpty ? nil : value
        case "data": dataLines.append(value)
        default: break  // `id`, `retry` and unknown fields: nothing we use
        }
        return nil
    }
}
