@testable import FastCGI
import Foundation
import Logging
import TestSupport
import Testing

/// The request watchdog's decisions at chosen instants (its timeout action ends a real worker, so here
/// it only records), the status read from a response head, and a stop that drains the socket.
@Suite("Request watchdog and draining stop", .serialized, .timeLimit(.minutes(10)))
struct RequestWatchdogTests {
    private static func request(slot: Int, path: String, started: ContinuousClock.Instant,
                                id: String? = nil) -> InFlightRequest {
        var params = ["REQUEST_METHOD": "POST", "DOCUMENT_URI": path, "QUERY_STRING": "userId=secret"]
        if let id { params["HTTP_X_REQUEST_ID"] = id }
        return InFlightRequest(slot: slot, params: params, started: started)
    }

    @Test("a request over the timeout is logged and handed to the timeout action once; slow ones are logged")
    func timeoutAndSlowLog() throws {
        let lines = CapturedLog()
        let timedOut = EventLog()
        let watchdog = RequestWatchdog(slots: 3, timeoutMilliseconds: 1_500, slowMilliseconds: 500, logger: lines.logger) {
            request, elapsed, inFlight in
            timedOut.append("slot=\(request.slot) path=\(request.path) elapsed=\(elapsed) inFlight=\(inFlight)")
        }
        let start = ContinuousClock.now
        watchdog.begin(Self.request(slot: 0, path: "/api/ai/assistant/chat", started: start, id: "abc"))
        watchdog.begin(Self.request(slot: 2, path: "/api/ai/assistant/thread", started: start + .milliseconds(1_000)))

        watchdog.check(at: start + .milliseconds(400))
        #expect(lines.all.isEmpty)
        watchdog.check(at: start + .milliseconds(600))
        watchdog.check(at: start + .milliseconds(700))
        #expect(lines.all.count == 1, "logged once while running: \(lines.all)")
        #expect(lines.all.first?.contains("slow request still running") == true)
        #expect(lines.all.first?.contains("request_id=abc") == true)
        #expect(timedOut.all.isEmpty)

        watchdog.check(at: start + .milliseconds(1_600))
        watchdog.check(at: start + .milliseconds(1_700))
        #expect(timedOut.all == ["slot=0 path=/api/ai/assistant/chat elapsed=1600 inFlight=2"])
        let timeoutLine = try #require(lines.all.first { $0.contains("request timeout") })
        #expect(timeoutLine.contains("slot=0") && timeoutLine.contains("method=POST") && timeoutLine.contains("duration_ms=1600"))
        #expect(timeoutLine.contains("request_id=abc"))
        #expect(!lines.all.joined().contains("secret"), "the query string stays out of the log")

        // Slot 2 finishes after 900 ms (over the slow threshold): one line with its status.
        watchdog.end(slot: 2, status: 404, at: start + .milliseconds(1_900))
        let finished = try #require(lines.all.last)
        #expect(finished.contains("slow request") && finished.contains("status=404") && finished.contains("duration_ms=900"))
        #expect(watchdog.inFlight().map(\.slot) == [0])
    }

    @Test("with both limits at 0 nothing is watched or logged")
    func off() {
        let lines = CapturedLog()
        let watchdog = RequestWatchdog(slots: 1, timeoutMilliseconds: 0, slowMilliseconds: 0, logger: lines.logger) { _, _, _ in
            Issue.record("no timeout is set")
        }
        #expect(!watchdog.needsThread)
        let start = ContinuousClock.now
        watchdog.begin(Self.request(slot: 0, path: "/x", started: start))
        watchdog.check(at: start + .seconds(3600))
        watchdog.end(slot: 0, status: 200, at: start + .seconds(3600))
        #expect(lines.all.isEmpty)
    }

    @Test("the response status comes from the Status line of the head, else 200")
    func statusFromHead() {
        func status(_ head: String) -> Int {
            Array(head.utf8).withUnsafeBytes { FastCGIExchange.status(inHead: $0) }
        }
        #expect(status("Status: 504 Gateway Timeout\r\nContent-Type: application/json\r\n\r\n{}") == 504)
        #expect(status("Content-Type: text/plain\r\nstatus:404 Not Found\r\n\r\n") == 404)
        #expect(status("Content-Type: text/plain\r\n\r\nStatus: 500 in the body") == 200)
        #expect(status("Status: nonsense\r\n\r\n") == 200)
    }

    @Test("a stopped server refuses new connections at once and still serves the ones already queued")
    func drainingStop() throws {
        let directory = try TemporaryDirectory(prefix: "fcgi-drain")
        let socketPath = directory.file("app.sock")
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let server = RunningServer(configuration: FastCGIServerConfiguration(listen: .unixSocket(socketPath), threads: 1)) {
            _, exchange in
            if exchange.param("X_HOLD") != nil {
                entered.signal()
                _ = release.wait(timeout: .now() + 10)
            }
            try? exchange.write("Status: 200 OK\r\n\r\n\(exchange.param("X_NAME") ?? "")")
        }
        defer { server.stopAndWait() }
        try server.waitUntilListening(on: socketPath)

        let responses = ResultBox<String>()
        Thread {
            responses.append((try? FastCGITestClient.request(unixSocket: socketPath, params: [("X_HOLD", "1"), ("X_NAME", "held")]).body) ?? "failed")
        }.start()
        #expect(entered.wait(timeout: .now() + 10) == .success)
        // The only thread is busy: this one waits in the socket's queue.
        let queued = try FastCGITestClient(unixSocket: socketPath)
        try queued.begin()
        try queued.params([("X_NAME", "queued")])
        try queued.stdin([])

        server.server.stop()
        #expect(eventually(within: 5) { (try? FastCGITestClient(unixSocket: socketPath)) == nil },
                "a new connection is refused while a request is still in flight")
        release.signal()
        #expect(try queued.readResponse().body == "queued")
        queued.close()  // libfcgi lingers up to 2 s for the web server to close first
        #expect(server.waitForExit(seconds: 10).map { (try? $0.get()) != nil } == true)
        #expect(eventually(within: 5) { responses.all == ["held"] })
    }
}

/// A logger whose lines (level, message and metadata, as `key=value`) are kept for inspection.
final class CapturedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    var logger: Logger {
        Logger(label: "test") { _ in CapturingHandler(log: self) }
    }

    var all: [String] { lock.withLock { lines } }

    fileprivate func append(_ line: String) { lock.withLock { lines.append(line) } }
}

private struct CapturingHandler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let text = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        log.append("\(event.level) \(event.message) \(text)")
    }
}
