import HTTP
import JSON

/// Passes a chat event stream on to the client unchanged and keeps what an idempotent retry needs: the
/// ids from `run.created` and the final `run.completed` or `error` event.
///
/// It sees every frame the stream tried to send, including the first one that failed because the
/// client had gone; frames the stream no longer tries to send after that are not seen.
final class FinalEventRecorder: ResponseBodyWriter {
    private let writer: any ResponseBodyWriter
    /// Bytes of a frame not yet complete (a stream writes whole frames, so this stays small).
    private var partial: [UInt8] = []
    /// The run's id, from `run.created`.
    private(set) var runId: String?
    /// The thread's id, from `run.created`.
    private(set) var threadId: String?
    /// What the stream ended with, as a JSON request would have been answered: `run.completed`'s data
    /// with 200, or an `error` event's `{error, code}` with its `status`.
    private(set) var outcome: IdempotentResponse?

    /// Records what passes through to `writer`.
    init(forwardingTo writer: any ResponseBodyWriter) { self.writer = writer }

    func send(_ bytes: [UInt8]) -> Bool {
        partial += bytes
        while let end = Self.frameEnd(in: partial) {
            inspect(Array(partial[..<end]))
            partial.removeFirst(end + 2)
        }
        return writer.send(bytes)
    }

    /// The index of the first blank line (`\n\n`), which ends a frame.
    private static func frameEnd(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        return (0..<(bytes.count - 1)).first { bytes[$0] == 0x0a && bytes[$0 + 1] == 0x0a }
    }

    /// Reads `event:` and `data:` of one frame; comments (pings) have neither.
    private func inspect(_ frame: [UInt8]) {
        var name: String?
        var data: String?
        for line in frame.split(separator: 0x0a) {
            let text = String(decoding: line, as: UTF8.self)
            if text.hasPrefix("event: ") { name = String(text.dropFirst(7)) }
            if text.hasPrefix("data: ") { data = String(text.dropFirst(6)) }
        }
        guard let name, let data, let value = try? JSONValue.parse(data) else { return }
        switch name {
        case "run.created":
            runId = value["runId"]?.stringValue
            threadId = value["threadId"]?.stringValue
        case "run.completed":
            outcome = IdempotentResponse(status: 200, body: data)
        case "error":
            let body = JSONValue.object(["error": value["error"] ?? .string(""), "code": value["code"] ?? .string("internal_error")])
            outcome = IdempotentResponse(status: value["status"]?.intValue ?? 500, body: body.serialized())
        default:
            break
        }
    }
}
