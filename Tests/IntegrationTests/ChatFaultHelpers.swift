import Foundation
import HTTPClient
import JSON
import Postgres
import SQLite
import TestSupport
import Testing

/// One row of the store's `runs` table, read directly (the API does not show a run's error code).
struct StoredRun: Equatable {
    let id: String
    let status: String
    let errorCode: String?
}

/// The thread store of a chat deployment, opened by the test itself: the SQLite file the workers write,
/// or the PostgreSQL database the test created for them.
enum RunTable {
    case sqlite(path: String)
    case postgres(url: String)

    /// Every run, oldest first.
    func rows() throws -> [StoredRun] {
        let sql = "SELECT id, status, error_code FROM runs ORDER BY created_at, id"
        switch self {
        case .sqlite(let path):
            let connection = try SQLiteConnection(path: path)
            return try connection.query(sql).map { row in
                StoredRun(id: row.string(0) ?? "", status: row.string(1) ?? "", errorCode: row.string(2))
            }
        case .postgres(let url):
            let connection = try PostgresConnection(connectionString: url)
            let result = try connection.query(sql)
            return (0..<result.count).map { index in
                StoredRun(id: result.string(index, 0) ?? "", status: result.string(index, 1) ?? "",
                          errorCode: result.string(index, 2))
            }
        }
    }

    /// The run called `id`, if any.
    func run(_ id: String) throws -> StoredRun? { try rows().first { $0.id == id } }
}

/// Starts a chat deployment on `store` (`sqlite` or `postgres`) whose run table the test can read.
/// For PostgreSQL the store database is created here and handed to the workers as `THREAD_STORE_URL`.
func inspectableHarness(store: String = "sqlite",
                        environment: [String: String] = [:]) throws -> (harness: ChatHarness, runs: RunTable) {
    guard store == "postgres" else {
        let harness = try ChatHarness(environment: environment)
        let path = try #require(harness.service.sqlitePath)
        return (harness, .sqlite(path: path))
    }
    let url = try PostgresServer.shared().createDatabase(prefix: "faultstore")
    var settings = environment
    settings["THREAD_STORE_URL"] = url
    return (try ChatHarness(store: "postgres", environment: settings), .postgres(url: url))
}

/// A request sent on its own thread while the test does something else, e.g. cancels it or kills its worker.
final class PendingRequest: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var outcome: Result<HTTPClientResponse, any Error>?

    /// Starts `send` at once on a new thread.
    init(_ send: @escaping @Sendable () throws -> HTTPClientResponse) {
        Thread { [self] in
            let result = Result { try send() }
            lock.lock()
            outcome = result
            lock.unlock()
            done.signal()
        }.start()
    }

    /// Waits up to `seconds` for the response; throws when it does not come (or the request failed).
    func response(within seconds: Double) throws -> HTTPClientResponse {
        guard done.wait(timeout: .now() + seconds) == .success else {
            throw TestSupportError("the pending request did not finish within \(seconds) s")
        }
        done.signal()
        lock.lock()
        defer { lock.unlock() }
        return try outcome!.get()
    }
}

extension ChatHarness {
    /// `say(_:userId:threadId:)` on its own thread; the response is collected later.
    func sayInBackground(_ text: String, userId: String = "ada", threadId: String? = nil) -> PendingRequest {
        var body: [String: JSONValue] = ["userId": .string(userId), "projectRef": .string("proj_1"),
                                         "connectionString": .string(databaseURL), "message": .string(text)]
        if let threadId { body["threadId"] = .string(threadId) }
        let service = service, serialized = JSONValue.object(body).serialized()
        return PendingRequest { try service.request("POST", "/api/ai/assistant/chat", body: serialized) }
    }

    /// The user's current thread id (creating the thread when there is none).
    func threadId(userId: String = "ada") throws -> String {
        let response = try service.request("GET", "/api/ai/assistant/thread?userId=\(userId)")
        return try #require(response.json["threadId"] as? String, "\(response.text)")
    }

    /// Waits (up to `seconds`) until the fake provider has received at least `count` model requests.
    func waitForModelRequests(_ count: Int, within seconds: Double = 10) throws {
        let arrived = try eventually(within: seconds) { try provider.requests().count >= count }
        try #require(arrived, "the model did not get \(count) request(s) in \(seconds) s\n\(logs)")
    }

    /// SIGKILLs every worker process, then waits until multiwatch replaced them all and the service answers.
    func killAllWorkers() throws {
        let killed = service.workers.workerPIDs()
        try #require(!killed.isEmpty, "no workers to kill\n\(logs)")
        for pid in killed { kill(pid, SIGKILL) }
        let replaced = eventually(within: 15) {
            let now = service.workers.workerPIDs()
            return now.count == killed.count && Set(now).isDisjoint(with: killed)
        }
        try #require(replaced, "workers now \(service.workers.workerPIDs()), killed \(killed)\n\(logs)")
        let healthy = eventually(within: 15) {
            (try? service.request("GET", "/api/ai/assistant/health").status) == 200
        }
        try #require(healthy, "the service did not come back after the kill\n\(logs)")
    }

    /// The `input` items (Responses API) of model request `index` (0-based) as the fake received them.
    func modelInput(_ index: Int) throws -> [JSONValue] {
        let requests = try provider.requests()
        guard requests.indices.contains(index) else { return [] }
        return requests[index]["body"]?["input"]?.arrayValue ?? []
    }

    /// The `output` text of every `function_call_output` item sent in model request `index`.
    func toolOutputs(inModelRequest index: Int) throws -> [String] {
        try modelInput(index).filter { $0["type"]?.stringValue == "function_call_output" }
            .map { $0["output"]?.stringValue ?? "" }
    }

    /// Everything the workers and nginx wrote: worker log, nginx error log and access log.
    var serverLogs: String {
        "\(service.logs)\n--- nginx access log\n\(fileText("\(service.nginx.prefix)/access.log"))"
    }

    /// Proves the thread survived a failed turn: `failedMessage` is stored as the user's message, and a new
    /// message on `threadId` completes.
    /// `model` is the provider the workers talk to (the harness's own unless a test started another).
    func expectThreadContinues(_ threadId: String, after failedMessage: String, model: FakeModelProvider? = nil,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let stored = try messages().filter { $0["role"] as? String == "user" }.compactMap { $0["content"] as? String }
        #expect(stored.contains(failedMessage), "the failed message is kept: \(stored)", sourceLocation: sourceLocation)
        try (model ?? provider).script([textStep("Back on track.")])
        let next = try say("are you there?", threadId: threadId)
        #expect(next.status == 200, "\(next.text)\n\(logs)", sourceLocation: sourceLocation)
        #expect(next.json["status"] as? String == "completed", "\(next.text)", sourceLocation: sourceLocation)
        #expect(next.json["response"] as? String == "Back on track.", sourceLocation: sourceLocation)
        #expect(next.json["threadId"] as? String == threadId, sourceLocation: sourceLocation)
    }
}

/// A script step that fails with HTTP `status` and `headers` (and the fake's default error body unless given).
func errorStep(_ status: Int, headers: [String: String] = [:], body: JSONValue? = nil) -> JSONValue {
    var error: [String: JSONValue] = ["status": .number(Double(status))]
    if !headers.isEmpty { error["headers"] = .object(headers.mapValues { .string($0) }) }
    if let body { error["body"] = body }
    return .object(["error": .object(error)])
}

/// A script step whose answer (JSON or stream) is cut off after `events` server-sent events.
func cut(_ step: JSONValue, afterEvents events: Int) -> JSONValue {
    guard var object = step.objectValue else { return step }
    object["cutStreamAfterEvents"] = .number(Double(events))
    return .object(object)
}

/// A file's text, or empty when it cannot be read.
private func fileText(_ path: String) -> String {
    (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
}
