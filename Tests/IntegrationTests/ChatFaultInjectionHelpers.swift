import Foundation
import HTTPClient
import JSON
import Postgres
import SQLite
import TestSupport
import Testing

/// The seed of a fault run: `PGASSIST_FAULT_SEED=N` to replay one, `PGASSIST_FAULT_SEED=random` for a new one
/// each run (to hunt for races), else a fixed seed, so that the quick suite is as repeatable as real processes
/// and timing allow.
func faultSeed() -> UInt64 {
    let text = ProcessInfo.processInfo.environment["PGASSIST_FAULT_SEED"]
    if text == "random" { return UInt64.random(in: 1...UInt64(UInt32.max)) }
    return text.flatMap { UInt64($0) } ?? 2_528_720_758
}

/// The number of chat turns of a fault run: `PGASSIST_FAULT_TURNS`, else `fallback` (500, as the reliability issue asks).
func faultTurns(fallback: Int = 500) -> Int {
    ProcessInfo.processInfo.environment["PGASSIST_FAULT_TURNS"].flatMap { Int($0) }.map { max($0, 4) } ?? fallback
}

/// The fake model's answers for a fault run, repeated in a loop: tool calls (`list_tables`, `run_sql`, both at
/// once), plain answers, and failures (429 with `retry-after-ms`, 500, slow answers, answers cut off mid-way).
/// The queue is shared by every concurrent run, so any run may get any step: what the test checks holds
/// whatever the order.
func faultScript(length: Int, using generator: inout SeededGenerator) -> [JSONValue] {
    let listTables = ("list_tables", #"{"schema":"public"}"#)
    let selectOne = ("run_sql", #"{"query":"SELECT 1 AS one"}"#)
    return (0..<length).map { index in
        let roll = Int.random(in: 0..<100, using: &generator)
        switch roll {
        case 0..<28: return toolStep([listTables])
        case 28..<42: return toolStep([selectOne])
        case 42..<48: return toolStep([listTables, selectOne])
        case 48..<76: return textStep("Answer \(index).")
        case 76..<81: return errorStep(429, headers: ["retry-after-ms": "20"])
        case 81..<86: return errorStep(500)
        case 86..<93: return delayed(textStep("A slow answer \(index)."), milliseconds: Int.random(in: 200...1_200, using: &generator))
        default:
            let step = generator.chance(0.5) ? textStep("Cut answer \(index), long enough to arrive in pieces.") : toolStep([listTables])
            return cut(step, afterEvents: Int.random(in: 2...6, using: &generator))
        }
    }
}

/// What the client saw for one chat turn.
struct TurnOutcome: Sendable {
    /// The unique token in the message text, to find the message in the store.
    let token: String
    let user: String
    let streamed: Bool
    /// The HTTP status, or nil when no response head arrived.
    let status: Int?
    /// `code` of a JSON error body, or of a stream's `error` event.
    let errorCode: String?
    /// The run status a successful answer reported (`completed`, …).
    let runStatus: String?
    /// Whether a non-200 answer had the service's JSON error shape.
    let isJSONError: Bool
    /// Whether the answer broke off after the head: the transfer failed, or a stream ended without
    /// `run.completed` or `error` (nginx ends the chunked body cleanly when the worker dies mid-stream).
    let cutOff: Bool
    /// `success` of each tool call the answer listed.
    let toolSuccesses: [Bool]
    /// The body, for failure messages (the first 300 characters).
    let excerpt: String
}

/// Sends chat turns the way a browser would, one user per instance: the user's own Authorization header
/// keeps each user in their own nginx rate-limit bucket (nginx keys the limit on it when there is no auth
/// service), JSON or server-sent events.
struct FaultClient: Sendable {
    let baseURL: String
    let user: String
    let databaseURL: String

    /// The user's current thread, created when there is none; retried while the service restarts.
    func threadId() throws -> String {
        var last = "no answer"
        for _ in 0..<100 {
            do {
                let response = try send("GET", "/api/ai/assistant/thread?userId=\(user)")
                if response.status == 200, let id = response.json["threadId"] as? String { return id }
                last = "\(response.status) \(response.text)"
            } catch {
                last = "\(error)"
            }
            usleep(100_000)
        }
        throw TestSupportError("no thread for \(user): \(last)")
    }

    /// One chat message carrying `token`, read to the end (or to where the transfer broke).
    func turn(token: String, threadId: String, stream: Bool) -> TurnOutcome {
        let body = JSONValue.object([
            "userId": .string(user), "projectRef": .string("proj_fault"), "connectionString": .string(databaseURL),
            "threadId": .string(threadId), "message": .string("Please look at the database [\(token)]"),
            "stream": .bool(stream),
        ])
        let request = HTTPClientRequest(method: "POST", url: baseURL + "/api/ai/assistant/chat",
                                        headers: headers + [(name: "Content-Type", value: "application/json")],
                                        body: body.serializedBytes(), timeoutMilliseconds: 90_000)
        var status: Int?
        var contentType = ""
        var bytes: [UInt8] = []
        var cutOff = false
        do {
            _ = try HTTPClient().stream(request, onHead: { code, headers in
                status = code
                contentType = headers.last { $0.name.lowercased() == "content-type" }?.value ?? ""
            }, onData: { chunk in
                bytes.append(contentsOf: chunk)
                return true
            })
        } catch {
            cutOff = status != nil
        }
        let text = String(decoding: bytes, as: UTF8.self)
        var json: [String: Any] = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
        var errorCode = json["code"] as? String
        var isJSONError = contentType.hasPrefix("application/json") && (json["error"] as? String)?.isEmpty == false
            && errorCode?.isEmpty == false
        if contentType.hasPrefix("text/event-stream") {
            var parser = EventStreamParser()
            let events = bytes.withUnsafeBytes { parser.feed($0, at: 0) }
            if let completed = events.last(where: { $0.name == "run.completed" }) {
                json = completed.json
            } else if let failure = events.last(where: { $0.name == "error" }) {
                errorCode = failure.json["code"] as? String
                isJSONError = errorCode != nil && failure.json["error"] is String
                json = [:]
            } else {
                cutOff = true
            }
        }
        let successes = (json["toolCalls"] as? [[String: Any]] ?? []).map { $0["success"] as? Bool ?? false }
        return TurnOutcome(token: token, user: user, streamed: stream, status: status, errorCode: errorCode,
                           runStatus: json["status"] as? String, isJSONError: isJSONError, cutOff: cutOff,
                           toolSuccesses: successes, excerpt: String(text.prefix(300)))
    }

    private var headers: [(name: String, value: String)] { [(name: "Authorization", value: "Bearer fault-\(user)")] }

    private func send(_ method: String, _ path: String) throws -> HTTPClientResponse {
        try HTTPClient().send(HTTPClientRequest(method: method, url: baseURL + path, headers: headers, timeoutMilliseconds: 30_000))
    }
}

/// The outcomes of many threads, collected under a lock.
final class TurnLog: @unchecked Sendable {
    private let lock = NSLock()
    private var outcomes: [TurnOutcome] = []

    func append(_ outcome: TurnOutcome) {
        lock.lock()
        outcomes.append(outcome)
        lock.unlock()
    }

    var all: [TurnOutcome] {
        lock.lock()
        defer { lock.unlock() }
        return outcomes
    }

    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return outcomes.count
    }
}

/// A message row of the store, read directly.
struct StoredMessage {
    let threadId: String
    let seq: Int
    let role: String
    let content: String?
    let toolCalls: String?
    let toolCallId: String?
    let runId: String?

    /// The ids of the tool calls of an assistant message.
    var callIds: [String] {
        guard let toolCalls, let list = (try? JSONValue.parse(toolCalls))?.arrayValue else { return [] }
        return list.compactMap { $0["id"]?.stringValue }
    }
}

extension RunTable {
    /// The rows of `sql`, every column as text (cast non-text columns in the query).
    func textRows(_ sql: String) throws -> [[String?]] {
        switch self {
        case .sqlite(let path):
            let connection = try SQLiteConnection(path: path)
            return try connection.query(sql).map { row in row.values.indices.map { row.string($0) } }
        case .postgres(let url):
            let connection = try PostgresConnection(connectionString: url)
            let result = try connection.query(sql)
            return result.rows
        }
    }

    /// Every message of every thread, in thread order.
    func messages() throws -> [StoredMessage] {
        try textRows("""
            SELECT thread_id, CAST(seq AS TEXT), role, content, tool_calls, tool_call_id, run_id
            FROM messages
            """).map { row in
            StoredMessage(threadId: row[0] ?? "", seq: Int(row[1] ?? "") ?? -1, role: row[2] ?? "", content: row[3],
                          toolCalls: row[4], toolCallId: row[5], runId: row[6])
        }.sorted { ($0.threadId, $0.seq) < ($1.threadId, $1.seq) }
    }

    /// Every run as (id, thread, status, error code).
    func runRows() throws -> [(id: String, threadId: String, status: String, errorCode: String?, worker: String?)] {
        try textRows("SELECT id, thread_id, status, error_code, worker FROM runs ORDER BY created_at, id").map { row in
            (row[0] ?? "", row[1] ?? "", row[2] ?? "", row[3], row[4])
        }
    }
}

/// What a fault run must leave in the store, checked on the rows themselves.
struct StoreAudit {
    let messages: [StoredMessage]
    /// Each run with its driver (`host/pid/start`, `WorkerIdentity`).
    let runs: [(id: String, threadId: String, status: String, errorCode: String?, worker: String?)]

    init(_ table: RunTable) throws {
        messages = try table.messages()
        runs = try table.runRows()
    }

    /// How many user messages carry `token`.
    func userMessages(with token: String) -> Int {
        messages.filter { $0.role == "user" && ($0.content?.contains("[\(token)]") ?? false) }.count
    }

    /// Runs still holding their thread (`queued`, `in_progress`, `requires_action`).
    var activeRuns: [String] {
        runs.filter { ["queued", "in_progress", "requires_action"].contains($0.status) }.map { "\($0.id) \($0.status)" }
    }

    /// Every problem with tool calls and results: a call without exactly one result, a result without a call.
    var toolCallProblems: [String] {
        var problems: [String] = []
        for (threadId, rows) in Dictionary(grouping: messages, by: \.threadId) {
            let calls = rows.filter { $0.role == "assistant" }.flatMap(\.callIds)
            let results = rows.filter { $0.role == "tool" }.compactMap(\.toolCallId)
            var resultCounts: [String: Int] = [:]
            for id in results { resultCounts[id, default: 0] += 1 }
            for id in calls where resultCounts[id] != 1 {
                problems.append("\(threadId): call \(id) has \(resultCounts[id] ?? 0) results")
            }
            for id in Set(results) where !calls.contains(id) {
                problems.append("\(threadId): result for unknown call \(id)")
            }
            if Set(calls).count != calls.count { problems.append("\(threadId): a call id appears twice") }
        }
        return problems
    }

    /// Threads whose message positions are not exactly 1…n.
    var gapProblems: [String] {
        Dictionary(grouping: messages, by: \.threadId).compactMap { threadId, rows in
            rows.map(\.seq) == Array(1...rows.count) ? nil : "\(threadId): positions \(rows.map(\.seq).prefix(20))…"
        }
    }

    /// User messages whose run is not in the runs table.
    var orphanUserMessages: [String] {
        let ids = Set(runs.map(\.id))
        return messages.filter { $0.role == "user" && !($0.runId.map(ids.contains) ?? false) }.map { "\($0.threadId)#\($0.seq)" }
    }

    /// Each run status and how many runs have it, e.g. `completed: 80`.
    var statusCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for run in runs { counts["\(run.status)\(run.errorCode.map { "/\($0)" } ?? "")", default: 0] += 1 }
        return counts
    }
}
