@testable import Model
import Testing

@Suite("SSEParser")
struct SSEParserTests {
    /// Feeds `text` split at every position in `sizes` cycle and returns all events.
    private func parse(_ text: String, chunkSize: Int) -> [SSEEvent] {
        var parser = SSEParser()
        let bytes = Array(text.utf8)
        var events: [SSEEvent] = []
        var start = 0
        while start < bytes.count {
            let end = min(start + chunkSize, bytes.count)
            events += parser.feed(Array(bytes[start..<end]))
            start = end
        }
        events += parser.finish()
        return events
    }

    @Test("events, names, multi-line data and comments survive every chunk size")
    func chunkBoundaries() {
        let text = ": keep-alive\r\nevent: response.created\r\ndata: {\"a\":1}\r\n\r\n"
            + "data: line one\ndata: line two\n\n"
            + "event: x\rdata:nospace\r\r"
            + "id: 7\nretry: 10\ndata: [DONE]\n\n"
        let expected = [
            SSEEvent(event: "response.created", data: "{\"a\":1}"),
            SSEEvent(data: "line one\nline two"),
            SSEEvent(event: "x", data: "nospace"),
            SSEEvent(data: "[DONE]"),
        ]
        for size in 1...text.utf8.count {
            #expect(parse(text, chunkSize: size) == expected, "chunk size \(size)")
        }
    }

    @Test("a CRLF split between chunks ends one line, not two")
    func splitCRLF() {
        var parser = SSEParser()
        #expect(parser.feed(Array("data: a\r".utf8)).isEmpty)
        #expect(parser.feed(Array("\n\r".utf8)) == [SSEEvent(data: "a")])
        #expect(parser.feed(Array("\ndata: b\n\n".utf8)) == [SSEEvent(data: "b")])
    }

    @Test("UTF-8 split inside a character, a BOM, and an unterminated last event")
    func utf8AndEnd() {
        let text = "\u{FEFF}data: h\u{e9}llo \u{1F418}\n\ndata: never dispatched"
        for size in 1...6 {
            #expect(parse(text, chunkSize: size) == [SSEEvent(data: "héllo 🐘")])
        }
    }

    @Test("events without data are dropped; an empty data line is kept")
    func emptyData() {
        #expect(parse("event: ping\n\ndata:\n\n", chunkSize: 3) == [SSEEvent(data: "")])
    }
}
