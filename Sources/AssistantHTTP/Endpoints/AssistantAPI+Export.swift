import ChatEngine
import HTTP
import JSON
import Operations
import Platform
import Policies
import Store

extension AssistantAPI {
    /// Rows read per store query while exporting (threads, messages or runs): what an export holds in memory.
    static let exportPageSize = 200

    /// `GET /thread?userId=U&export=1`: the user's whole history as one JSON document, streamed as it is read
    /// page by page: `{"userId", "exportedAt", "threads": [{…thread, "deletedAt", "messages": [...], "runs": [...]}],
    /// "complete": true}`, threads and their messages and runs oldest first. `complete` comes last, so a download
    /// cut short by a store failure mid-way is recognisably incomplete (its status was already sent).
    func exportHistory(userId: String) throws(APIError) -> HTTPResponse {
        let pageSize = Self.exportPageSize
        // The first page is read before answering, so a store that is down is a proper 503.
        let first = try withStore("export threads") { () throws(StoreError) in
            try store.historyThreads(userId: userId, after: nil, limit: pageSize)
        }
        let headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"),
            ("Content-Disposition", "attachment; filename=\"pgassist-export-\(Self.fileNamePart(userId)).json\""),
        ]
        return HTTPResponse(status: 200, headers: headers, stream: StreamingBody { writer in
            let output = ExportOutput(writer: writer)
            do throws(StoreError) {
                try self.writeExport(userId: userId, first: first, pageSize: pageSize, to: output)
            } catch {
                self.logger.error("export stopped by a store failure", metadata: ["error": "\(error.debugDescription)"])
            }
            output.flush()
        })
    }

    private func writeExport(userId: String, first: [HistoryThread], pageSize: Int, to output: ExportOutput) throws(StoreError) {
        let head = JSONValue.object(["userId": .string(userId), "exportedAt": .string(WallClock.iso8601(WallClock.nowMilliseconds()))])
        output.write(Array(head.serializedBytes().dropLast()) + Array(#","threads":["#.utf8))
        var page = first
        var separator: [UInt8] = []
        while !page.isEmpty {
            for thread in page {
                // A client that went away gets nothing more: stop reading the store for it.
                guard output.isOpen else { return }
                output.write(separator)
                separator = Array(",".utf8)
                try writeThread(thread, pageSize: pageSize, to: output)
            }
            guard page.count == pageSize, let last = page.last else { break }
            page = try store.historyThreads(userId: userId, after: last.cursor, limit: pageSize)
        }
        output.write(Array(#"],"complete":true}"#.utf8))
    }

    private func writeThread(_ history: HistoryThread, pageSize: Int, to output: ExportOutput) throws(StoreError) {
        let thread = history.thread
        let head = JSONValue.object([
            "threadId": .string(thread.id), "projectRef": thread.projectRef.map(JSONValue.string) ?? .null,
            "createdAt": .string(WallClock.iso8601(thread.createdAt)), "updatedAt": .string(WallClock.iso8601(thread.updatedAt)),
            "deletedAt": history.deletedAt.map { .string(WallClock.iso8601($0)) } ?? .null,
            "messageCount": .number(Double(thread.messageCount)),
        ])
        output.write(Array(head.serializedBytes().dropLast()) + Array(#","messages":["#.utf8))
        var afterSeq: Int64 = 0
        var separator: [UInt8] = []
        while true {
            let messages = try store.historyMessages(threadId: thread.id, afterSeq: afterSeq, limit: pageSize)
            for message in messages {
                output.write(separator + ((try? JSONCoding.encode(ExportedMessage(message))) ?? Array("null".utf8)))
                separator = Array(",".utf8)
            }
            guard messages.count == pageSize, output.isOpen, let last = messages.last else { break }
            afterSeq = last.seq
        }
        output.write(Array(#"],"runs":["#.utf8))
        var cursor: HistoryCursor?
        separator = []
        while true {
            let runs = try store.historyRuns(threadId: thread.id, after: cursor, limit: pageSize)
            for run in runs {
                output.write(separator + Self.json(run).serializedBytes())
                separator = Array(",".utf8)
            }
            guard runs.count == pageSize, let last = runs.last else { break }
            cursor = last.cursor
        }
        output.write(Array("]}".utf8))
    }

    private static func json(_ run: HistoryRun) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        func time(_ value: Int64?) -> JSONValue { value.map { .string(WallClock.iso8601($0)) } ?? .null }
        return .object([
            "runId": .string(run.id), "projectRef": text(run.projectRef), "status": .string(run.status), "model": text(run.model),
            "assistantVersion": run.assistantVersion.map { .number(Double($0)) } ?? .null, "rounds": .number(Double(run.rounds)),
            "usage": .object(["inputTokens": .number(Double(run.inputTokens)), "outputTokens": .number(Double(run.outputTokens))]),
            "response": text(run.response), "errorCode": text(run.errorCode), "errorMessage": text(run.errorMessage),
            "createdAt": time(run.createdAt), "startedAt": time(run.startedAt), "completedAt": time(run.completedAt),
        ])
    }

    /// The user id reduced to characters that are safe in a quoted header parameter and a file name.
    static func fileNamePart(_ userId: String) -> String {
        let safe = String(userId.unicodeScalars.prefix(100).map { scalar -> Character in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._@-".unicodeScalars.contains(scalar))
                ? Character(scalar) : "_"
        })
        return safe.isEmpty ? "user" : safe
    }
}

/// A message as `GET /thread` shows it, plus what an export also keeps: the tool's name and run time.
private struct ExportedMessage: Encodable {
    let base: MessageResponse
    let toolName: String?
    let durationMs: Int64?

    init(_ record: MessageRecord) {
        base = MessageResponse(record)
        toolName = record.toolName
        durationMs = record.durationMs
    }

    func encode(to encoder: any Encoder) throws {
        try base.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(toolName, forKey: .toolName)
        try container.encodeIfPresent(durationMs, forKey: .durationMs)
    }

    private enum CodingKeys: String, CodingKey { case toolName, durationMs }
}

/// Collects the export's small writes into chunks of about 32 KiB, so each send to the client (a write
/// and flush through FastCGI) carries a useful amount.
private final class ExportOutput {
    private static let chunkBytes = 32_768
    private let writer: any ResponseBodyWriter
    private var buffer: [UInt8] = []
    private var open = true

    /// False once the client has gone.
    var isOpen: Bool { open }

    init(writer: any ResponseBodyWriter) { self.writer = writer }

    func write(_ bytes: [UInt8]) {
        buffer += bytes
        if buffer.count >= Self.chunkBytes { flush() }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        if open { open = writer.send(buffer) }
        buffer.removeAll(keepingCapacity: true)
    }
}
