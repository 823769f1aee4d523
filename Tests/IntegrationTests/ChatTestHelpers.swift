import Foundation
import HTTPClient
import JSON
import Postgres
import TestSupport

/// One server-sent event as the client received it, with the moment its last byte arrived.
struct ReceivedEvent {
    /// The `event:` name, or nil for a comment such as `: ping`.
    let name: String?
    /// The `data:` lines joined by line breaks (for a comment: its text after the colon).
    let data: String
    /// Seconds since the request was sent.
    let arrivedAfter: Double

    /// Whether this is a comment line (a heartbeat), not an event.
    var isComment: Bool { name == nil }

    /// The data as a JSON object (empty when it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] ?? [:]
    }
}

/// A streamed `POST /chat` answer read as it arrived, for checking what a browser would see and when.
struct ChatEventStream {
    let status: Int
    let headers: [(name: String, value: String)]
    /// Events and comments in order of arrival.
    let received: [ReceivedEvent]
    /// Every body byte as text, for failure messages.
    let text: String

    /// The events without the comments.
    var events: [ReceivedEvent] { received.filter { !$0.isComment } }

    /// The event names in order.
    var names: [String] { events.compactMap(\.name) }

    /// The first event called `name`.
    func first(_ name: String) -> ReceivedEvent? { events.first { $0.name == name } }

    /// The value of header `name` (case-insensitive).
    func header(_ name: String) -> String? {
        headers.last { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// Splits a `text/event-stream` body into events and comments as the bytes come in.
struct EventStreamParser {
    private var buffer: [UInt8] = []

    /// Adds `bytes`; returns the events and comments they completed (each ends with a blank line).
    mutating func feed(_ bytes: UnsafeRawBufferPointer, at seconds: Double) -> [ReceivedEvent] {
        buffer.append(contentsOf: bytes)
        var completed: [ReceivedEvent] = []
        while let end = blankLine(in: buffer) {
            let block = String(decoding: buffer[..<end.start], as: UTF8.self)
            buffer.removeFirst(end.next)
            if let event = Self.parse(block, at: seconds) { completed.append(event) }
        }
        return completed
    }

    /// Where the first `\n\n` is: the block's end and where the next block starts.
    private func blankLine(in bytes: [UInt8]) -> (start: Int, next: Int)? {
        guard bytes.count >= 2 else { return nil }
        for index in 0..<(bytes.count - 1) where bytes[index] == 10 && bytes[index + 1] == 10 {
            return (index, index + 2)
        }
        return nil
    }

    private static func parse(_ block: String, at seconds: Double) -> ReceivedEvent? {
        var name: String?
        var data: [String] = []
        var comment: String?
        for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(":") {
                comment = String(line.dropFirst()).trimmingCharacters(in: .whitespaces)
            } else if line.hasPrefix("event:") {
                name = String(line.dropFirst(6)).trimmingCharacters(in: .whitespaces)
            } else if line.hasPrefix("data:") {
                var value = line.dropFirst(5)
                if value.first == " " { value = value.dropFirst() }
                data.append(String(value))
            }
        }
        if name == nil && data.isEmpty {
            return comment.map { ReceivedEvent(name: nil, data: $0, arrivedAfter: seconds) }
        }
        return ReceivedEvent(name: name ?? "message", data: data.joined(separator: "\n"), arrivedAfter: seconds)
    }
}

extension ChatHarness {
    /// `POST /chat` like `chat(_:)`, read incrementally through nginx; every event keeps its arrival time.
    func streamChat(_ fields: [String: JSONValue], userId: String = "ada",
                    headers: [(String, String)] = []) throws -> ChatEventStream {
        var body: [String: JSONValue] = ["userId": .string(userId), "projectRef": .string("proj_1"),
                                         "connectionString": .string(databaseURL)]
        body.merge(fields) { _, given in given }
        let request = HTTPClientRequest(method: "POST", url: service.baseURL + "/api/ai/assistant/chat",
                                        headers: [(name: "Content-Type", value: "application/json")]
                                            + headers.map { (name: $0.0, value: $0.1) },
                                        body: JSONValue.object(body).serializedBytes(), timeoutMilliseconds: 60_000)
        let started = ContinuousClock.now
        var parser = EventStreamParser()
        var received: [ReceivedEvent] = []
        var bytes: [UInt8] = []
        var head: [(name: String, value: String)] = []
        let status = try HTTPClient().stream(request, onHead: { _, headers in head = headers }, onData: { chunk in
            let elapsed = started.duration(to: .now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bytes.append(contentsOf: chunk)
            received += parser.feed(chunk, at: seconds)
            return true
        })
        return ChatEventStream(status: status, headers: head, received: received, text: String(decoding: bytes, as: UTF8.self))
    }

    /// Whether `relation` (e.g. `public.invoice`) exists in the user's database, asked directly.
    func relationExists(_ relation: String) throws -> Bool {
        let connection = try PostgresConnection(connectionString: databaseURL)
        let result = try connection.query("SELECT to_regclass($1)::text", [relation])
        return result.string(0, 0) != nil
    }

    /// The names of the tables in the trash schema that were `public.<table>` (named `public__<table>__<time>`).
    func trashedCopies(of table: String) throws -> [String] {
        let connection = try PostgresConnection(connectionString: databaseURL)
        let result = try connection.query("""
            SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'pgassist_trash' AND c.relkind IN ('r', 'p') AND c.relname LIKE 'public\\_\\_' || $1 || '\\_\\_%'
            """, [table])
        return (0..<result.count).compactMap { result.string($0, 0) }
    }

    /// The HTTP status of every model call the fake provider answered, in order (from its log).
    func providerStatuses() -> [Int] {
        provider.log.split(separator: "\n").compactMap { line -> Int? in
            guard line.contains(" /v1/"), let arrow = line.range(of: " -> ") else { return nil }
            return Int(line[arrow.upperBound...].prefix { $0.isNumber })
        }
    }

    /// The serialized bodies of the model requests the fake provider received, oldest first.
    func modelRequestBodies() throws -> [String] {
        try provider.requests().map { $0["body"]?.serialized() ?? "" }
    }
}

/// A script step whose answer comes as a reasoning model's (the Responses API then needs the reasoning
/// item sent back with the call).
func reasoning(_ step: JSONValue) -> JSONValue {
    guard var object = step.objectValue else { return step }
    object["reasoning"] = .bool(true)
    return .object(object)
}

/// A script step answered only after `milliseconds`.
func delayed(_ step: JSONValue, milliseconds: Int) -> JSONValue {
    guard var object = step.objectValue else { return step }
    object["delayMs"] = .number(Double(milliseconds))
    return .object(object)
}

extension HTTPClientResponse {
    /// The response's `toolCalls` entries.
    var toolCalls: [[String: Any]] { json["toolCalls"] as? [[String: Any]] ?? [] }
}

/// Whether `../shared/data/pagila` is there (tests that need Pagila are skipped otherwise).
let pagilaAvailable = TestEnvironment.sharedFolder.map {
    FileManager.default.fileExists(atPath: "\($0)/data/pagila/pagila-schema.sql")
} ?? false
