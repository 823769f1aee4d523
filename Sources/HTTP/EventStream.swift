import Platform
import Synchronization

/// Server-sent events (`text/event-stream`) over a streaming response body, with a heartbeat.
///
/// While the stream is open and nothing was written for `pingIntervalMilliseconds`, a
/// background thread writes the comment `: ping` so that proxies and browsers keep an idle
/// connection open. Events and pings are written one at a time, never interleaved, so the
/// writer is never used from two threads at once. Call `close()` before the writer becomes
/// invalid; `HTTPResponse.eventStream` does that for you.
public final class EventStream: @unchecked Sendable {
    // @unchecked: `output` is Sendable in practice (see Output); `heartbeat` sits behind a Mutex.

    /// The one place the writer is used, shared with the heartbeat thread (which must not keep
    /// the EventStream itself alive, so that `deinit` can close it).
    private final class Output: @unchecked Sendable {
        // @unchecked: `writer` is used only while `state` is locked.
        struct State {
            var failed = false
            var closed = false
            var lastWriteMilliseconds: Int
        }

        let writer: any ResponseBodyWriter
        let state: Mutex<State>

        init(writer: any ResponseBodyWriter) {
            self.writer = writer
            self.state = Mutex(State(lastWriteMilliseconds: MonotonicClock.nowMilliseconds()))
        }

        /// Writes `bytes` unless the stream is closed or failed; false when they were not written.
        func write(_ bytes: [UInt8]) -> Bool {
            state.withLock { state in
                guard !state.failed, !state.closed else { return false }
                guard writer.send(bytes) else {
                    state.failed = true
                    return false
                }
                state.lastWriteMilliseconds = MonotonicClock.nowMilliseconds()
                return true
            }
        }

        /// Writes a ping if the stream is open and has been idle for `interval` milliseconds.
        /// Returns the milliseconds until the next ping is due, or nil once the stream is over.
        func pingIfIdle(interval: Int) -> Int? {
            state.withLock { state in
                guard !state.failed, !state.closed else { return nil }
                let idle = MonotonicClock.nowMilliseconds() - state.lastWriteMilliseconds
                if idle < interval { return interval - idle }
                guard writer.send(EventStream.ping) else {
                    state.failed = true
                    return nil
                }
                state.lastWriteMilliseconds = MonotonicClock.nowMilliseconds()
                return interval
            }
        }
    }

    /// The comment line written as a heartbeat.
    static let ping = Array(": ping\n\n".utf8)

    /// How long the heartbeat thread sleeps at most between looks at the stream, in milliseconds:
    /// it bounds how long `close()` waits for the thread.
    private static let pollMilliseconds = 50

    private let output: Output
    private let heartbeat: Mutex<NativeThread?>

    /// Creates a stream over `writer` that pings after `pingIntervalMilliseconds` of silence
    /// (no heartbeat when it is 0 or less, or when the system refuses a thread).
    public init(writer: any ResponseBodyWriter, pingIntervalMilliseconds: Int) {
        let output = Output(writer: writer)
        self.output = output
        var thread: NativeThread?
        if pingIntervalMilliseconds > 0 {
            thread = try? NativeThread.start {
                while let due = output.pingIfIdle(interval: pingIntervalMilliseconds) {
                    Sleep.milliseconds(max(1, min(due, Self.pollMilliseconds)))
                }
            }
        }
        self.heartbeat = Mutex(thread)
    }

    deinit {
        close()
    }

    /// True until a write failed (the client is gone) or the stream was closed.
    public var isOpen: Bool {
        output.state.withLock { !$0.failed && !$0.closed }
    }

    /// True once a write failed, an event's or the heartbeat's: the client is gone. Safe from any
    /// thread, so work the request's thread is blocked in (a model call) can ask it and give up.
    public var clientGone: Bool {
        output.state.withLock { $0.failed }
    }

    /// Sends event `event` with `data` as compact JSON on one `data:` line; line breaks in
    /// `event` are dropped. Returns false when the event was not sent: the client is gone or the
    /// stream is closed.
    public func send(event: String, data: JSONValue) -> Bool {
        let name = String(String.UnicodeScalarView(event.unicodeScalars.filter { $0 != "\n" && $0 != "\r" }))
        // JSON escapes control characters inside strings and serializedBytes() (what serialized()
        // returns as text) is compact, without line breaks,
        // so the data fits on one line.
        var frame = Array("event: \(name)\ndata: ".utf8)
        frame += data.serializedBytes()
        frame += Array("\n\n".utf8)
        return output.write(frame)
    }

    /// Stops the heartbeat and waits for its thread to end; nothing is written afterwards.
    /// Calling it again does nothing.
    public func close() {
        output.state.withLock { $0.closed = true }
        heartbeat.withLock { thread in
            thread?.join()
            thread = nil
        }
    }
}
