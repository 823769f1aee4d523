import Dispatch
import Glibc
import HTTP
import Synchronization
import Testing

/// A writer that records every send with the time it arrived, can start failing after a number
/// of sends, and notices when two sends overlap.
private final class RecordingWriter: ResponseBodyWriter, @unchecked Sendable {
    struct Send {
        var bytes: [UInt8]
        var at: ContinuousClock.Instant
        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    private let sends = Mutex<[Send]>([])
    private let succeedingSends: Int
    private let calls = Atomic<Int>(0)
    private let inside = Atomic<Int>(0)
    private let overlapCount = Atomic<Int>(0)
    private let pause: Bool

    /// `succeedingSends`: how many sends succeed before all later ones fail.
    /// `pause`: yield inside every send, to widen the window in which sends could overlap.
    init(succeedingSends: Int = .max, pause: Bool = false) {
        self.succeedingSends = succeedingSends
        self.pause = pause
    }

    func send(_ bytes: [UInt8]) -> Bool {
        if inside.add(1, ordering: .sequentiallyConsistent).newValue > 1 {
            overlapCount.add(1, ordering: .sequentiallyConsistent)
        }
        defer { inside.subtract(1, ordering: .sequentiallyConsistent) }
        if pause { sched_yield() }
        let call = calls.add(1, ordering: .sequentiallyConsistent).newValue
        guard call <= succeedingSends else { return false }
        sends.withLock { $0.append(Send(bytes: bytes, at: .now)) }
        return true
    }

    var recorded: [Send] { sends.withLock { $0 } }
    var callCount: Int { calls.load(ordering: .sequentiallyConsistent) }
    var overlaps: Int { overlapCount.load(ordering: .sequentiallyConsistent) }
}

@Suite("Server-sent events")
struct EventStreamTests {
    @Test("an event is framed as an event line, one data line of compact JSON and a blank line")
    func framing() {
        let writer = RecordingWriter()
        let stream = EventStream(writer: writer, pingIntervalMilliseconds: 0)
        #expect(stream.send(event: "delta", data: .object(["text": .string("hi"), "done": .bool(false)])))
        stream.close()
        #expect(writer.recorded.map(\.text) == ["event: delta\ndata: {\"done\":false,\"text\":\"hi\"}\n\n"])
    }

    @Test("data with line breaks, quotes and unicode stays on one data line and round-trips")
    func dataOnOneLine() throws {
        let value = JSONValue.object([
            "text": .string("line 1\nline 2\r\nline 3\r\"quoted\" \\ tab\t nul\u{0} ü 🎉 \u{2028}\u{2029}"),
            "list": .array([.string("a\nb"), .null, .number(1.5)]),
            "nested\nkey": .object(["x": .string("\n\n")]),
        ])
        let writer = RecordingWriter()
        let stream = EventStream(writer: writer, pingIntervalMilliseconds: 0)
        #expect(stream.send(event: "bad\nname\r", data: value))
        stream.close()

        let frame = try #require(writer.recorded.first).bytes
        #expect(!frame.contains(13))
        let lines = frame.split(separator: 10, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        #expect(lines.count == 4)
        #expect(lines[0] == "event: badname")
        #expect(lines[2] == "" && lines[3] == "")
        let data = try #require(lines[1].hasPrefix("data: ") ? String(lines[1].dropFirst(6)) : nil)
        #expect(try JSONValue.parse(data) == value)
    }

    @Test("pings come while the stream is idle, and only after the interval of silence")
    func pings() async throws {
        let writer = RecordingWriter()
        let stream = EventStream(writer: writer, pingIntervalMilliseconds: 100)
        let start = ContinuousClock.now
        #expect(stream.send(event: "first", data: .null))
        try await Task.sleep(for: .milliseconds(350))
        stream.close()

        let sends = writer.recorded
        let pingCount = sends.filter { $0.text == ": ping\n\n" }.count
        #expect(pingCount >= 1)
        #expect(sends.first?.text.hasPrefix("event: first\n") == true)
        // The stream measures silence in whole milliseconds; allow for that rounding.
        let interval = Duration.milliseconds(98)
        for (index, send) in sends.enumerated() where send.text == ": ping\n\n" {
            let previous = index == 0 ? start : sends[index - 1].at
            #expect(send.at - previous >= interval)
        }
    }

    @Test("after the writer fails, sends return false, the stream is not open and nothing more is written")
    func writerFailure() {
        let writer = RecordingWriter(succeedingSends: 1)
        let stream = EventStream(writer: writer, pingIntervalMilliseconds: 0)
        #expect(stream.isOpen)
        #expect(stream.send(event: "one", data: .null))
        #expect(!stream.send(event: "two", data: .null))
        #expect(!stream.isOpen)
        #expect(!stream.send(event: "three", data: .null))
        #expect(writer.callCount == 2)
        stream.close()
    }

    @Test("a failed ping closes the stream too")
    func pingFailure() async throws {
        let writer = RecordingWriter(succeedingSends: 0)
        let stream = EventStream(writer: writer, pingIntervalMilliseconds: 20)
        try await Task.sleep(for: .milliseconds(200))
        #expect(!stream.isOpen)
        #expect(writer.callCount == 1)
        #expect(!stream.send(event: "late", data: .null))
        stream.close()
    }

    @Test("the client counts as gone once a ping fails, with no event sent; closing the stream is not that")
    func clientGoneAfterFailedPing() async throws {
        let failing = EventStream(writer: RecordingWriter(succeedingSends: 0), pingIntervalMilliseconds: 20)
        #expect(!failing.clientGone)
        var waited = 0
        while !failing.clientGone && waited < 5_000 {
            try await Task.sleep(for: .milliseconds(20))
            waited += 20
        }
        #expect(failing.clientGone, "the heartbeat's failed write marks the client gone")
        failing.close()

        let healthy = EventStream(writer: RecordingWriter(), pingIntervalMilliseconds: 20)
        #expect(healthy.send(event: "one", data: .null))
        healthy.close()
        #expect(!healthy.clientGone, "a stream closed by the server did not lose its client")
    }

    @Test("close returns promptly, can be called twice, and nothing is written after it")
    func close() async throws {
        let writer = RecordingWriter()
        let stream = EventStream(writer: writer, pingIntervalMilliseconds: 30)
        #expect(stream.send(event: "one", data: .null))
        let clock = ContinuousClock()
        let elapsed = clock.measure { stream.close() }
        // The heartbeat looks at the stream every 50 ms; a generous bound catches a thread that
        // sleeps through a whole interval or never wakes.
        #expect(elapsed < .seconds(2))
        stream.close()
        #expect(!stream.isOpen)
        let countAtClose = writer.callCount
        #expect(!stream.send(event: "two", data: .null))
        try await Task.sleep(for: .milliseconds(150))
        #expect(writer.callCount == countAtClose)
    }

    @Test("concurrent sends and pings never overlap and every frame arrives whole")
    func concurrentSends() throws {
        let writer = RecordingWriter(pause: true)
        let stream = EventStream(writer: writer, pingIntervalMilliseconds: 1)
        let threads = 8
        let perThread = 100
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for index in 0..<perThread {
                let text = String(repeating: "t\(thread)-\(index) ", count: 20)
                #expect(stream.send(event: "e\(thread)", data: .object(["thread": .number(Double(thread)), "text": .string(text)])))
            }
        }
        stream.close()

        #expect(writer.overlaps == 0)
        let all = writer.recorded.flatMap(\.bytes)
        var frames = String(decoding: all, as: UTF8.self).split(separator: "\n\n", omittingEmptySubsequences: false)
        #expect(frames.last == "")
        frames.removeLast()
        var events = 0
        for frame in frames where frame != ": ping" {
            let lines = frame.split(separator: "\n", omittingEmptySubsequences: false)
            try #require(lines.count == 2)
            let thread = try #require(Int(lines[0].dropFirst("event: e".count)))
            let data = try JSONValue.parse(String(lines[1].dropFirst("data: ".count)))
            #expect(data["thread"] == .number(Double(thread)))
            events += 1
        }
        #expect(events == threads * perThread)
    }

    @Test("eventStream sets the SSE headers and closes the stream when produce returns")
    func eventStreamResponse() throws {
        let kept = Mutex<EventStream?>(nil)
        let response = HTTPResponse.eventStream(headers: [("X-Run", "r1")], pingIntervalMilliseconds: 15_000) { events in
            _ = events.send(event: "hello", data: .string("world"))
            kept.withLock { $0 = events }
        }
        #expect(response.status == 200)
        #expect(response.header("content-type") == "text/event-stream; charset=utf-8")
        #expect(response.header("X-Accel-Buffering") == "no")
        #expect(response.header("X-Run") == "r1")
        #expect(response.header("Content-Length") == nil)
        #expect(response.body.isEmpty)
        let stream = try #require(response.stream)

        let writer = RecordingWriter()
        stream.produce(writer)
        #expect(writer.recorded.map(\.text) == ["event: hello\ndata: \"world\"\n\n"])
        let events = try #require(kept.withLock { $0 })
        #expect(!events.isOpen)
        #expect(!events.send(event: "late", data: .null))
    }

    @Test("a plain response has no stream")
    func plainResponse() {
        #expect(HTTPResponse(status: 204).stream == nil)
        #expect(HTTPResponse.json(["ok": true]).stream == nil)
    }
}
