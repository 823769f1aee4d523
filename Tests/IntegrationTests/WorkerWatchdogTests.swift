import Foundation
import HTTPClient
import JSON
import TestSupport
import Testing

/// The request watchdog in real workers behind nginx: the hard request timeout replaces the worker,
/// and slow requests are logged.
///
/// A request has to be held past the timeout. The chat deadline normally ends a model call first
/// (PGASSIST_REQUEST_TIMEOUT_MS must be above CHAT_DEADLINE_MS), so these workers run with
/// PGASSIST_ALLOW_UNSAFE_TIMEOUTS=1, a chat deadline of 20 s and a 3 s request timeout, and the fake
/// model answers after 8 s. (Holding a request body instead does not work: nginx buffers the whole
/// body before it opens the FastCGI connection.)
@Suite("Worker watchdog", .serialized, .timeLimit(.minutes(10)))
struct WorkerWatchdogTests {
    private static func startService(provider: FakeModelProvider) throws -> Service {
        try Service(store: .sqlite, workers: 2, threads: 2, environment: [
            "OPENAI_BASE_URL": provider.baseURL, "OPENAI_API_KEY": provider.apiKey, "OPENAI_MODEL": "gpt-test",
            "PGASSIST_REQUEST_TIMEOUT_MS": "3000", "CHAT_DEADLINE_MS": "20000", "OPENAI_TIMEOUT_MS": "30000",
            "PGASSIST_ALLOW_UNSAFE_TIMEOUTS": "1", "PGASSIST_SLOW_REQUEST_MS": "500", "LOG_LEVEL": "info",
        ])
    }

    private static func chat(_ service: Service, user: String, message: String) throws -> HTTPClientResponse {
        let body: JSONValue = .object(["userId": .string(user), "projectRef": .string("proj_1"), "message": .string(message)])
        return try service.request("POST", "/api/ai/assistant/chat", body: body.serialized())
    }

    @Test("a request over PGASSIST_REQUEST_TIMEOUT_MS ends its worker, which multiwatch replaces; the client gets JSON 502")
    func hardTimeout() throws {
        let provider = try FakeModelProvider()
        defer { provider.stop() }
        let service = try Self.startService(provider: provider)
        defer { service.stop() }
        #expect(service.logs.contains("ends chat turns before their deadline"), "the unsafe combination is announced")
        let before = Set(service.workers.workerPIDs())
        try provider.script([.object(["text": .string("too late"), "delayMs": .number(8_000)])])

        let started = Date()
        let response = try Self.chat(service, user: "held", message: "take your time")
        let elapsed = Date().timeIntervalSince(started)
        #expect(response.status == 502, "\(response.status) \(response.text)\n\(service.logs)")
        #expect(response.isJSONError && response.errorCode == "upstream_unavailable", "\(response.text)")
        #expect(elapsed >= 2.9 && elapsed < 7, "answered after \(elapsed) s: the timeout is 3 s, the model takes 8 s")

        let logs = service.workers.log
        let line = try #require(service.workers.logLines.first { $0.event?.hasPrefix("request timeout: ending") == true }, "\(logs)")
        #expect(line.string("path") == "/api/ai/assistant/chat" && line.string("method") == "POST", "\(line)")
        #expect(line["slot"] != nil && line["duration_ms"]?.intValue != nil && line.string("timeout_ms") == "3000", "\(line)")
        #expect(line.string("level") == "error", "\(line)")
        #expect(!line.text.contains("take your time"), "the body stays out of the log")

        // multiwatch replaced the worker: two workers again, one of them new, and the pool still serves.
        #expect(eventually(within: 10) {
            let now = Set(service.workers.workerPIDs())
            return now.count == 2 && !now.isSubset(of: before)
        }, "workers before \(before), now \(service.workers.workerPIDs())")
        #expect(before.subtracting(service.workers.workerPIDs()).count == 1, "only the worker with the held request went")
        for index in 0..<6 {
            #expect(try service.request("GET", "/api/ai/assistant/thread?userId=after\(index)").status == 200)
        }
        #expect(!service.logs.contains("died to often"))
    }

    @Test("a request slower than PGASSIST_SLOW_REQUEST_MS logs a warning while it runs and one with its status when done")
    func slowLog() throws {
        let provider = try FakeModelProvider()
        defer { provider.stop() }
        let service = try Self.startService(provider: provider)
        defer { service.stop() }
        try provider.script([.object(["text": .string("slow but fine"), "delayMs": .number(1_200)])])

        let response = try Self.chat(service, user: "slow", message: "hello")
        #expect(response.status == 200, "\(response.text)\n\(service.logs)")
        #expect(try service.request("GET", "/api/ai/assistant/thread?userId=fast").status == 200)

        let lines = service.workers.logLines
        let finished = lines.filter { $0.event == "slow request" }
        #expect(finished.count == 1, "one line for the slow request, none for the fast one:\n\(finished)")
        let line = try #require(finished.first)
        #expect(line.string("method") == "POST" && line.string("path") == "/api/ai/assistant/chat" && line.string("status") == "200",
                "\(line)")
        #expect((line["duration_ms"]?.intValue ?? 0) >= 1_200, "\(line)")
        #expect(lines.contains { $0.event == "slow request still running" && $0.string("path") == "/api/ai/assistant/chat" })
        #expect(!lines.contains { $0.event?.hasPrefix("request timeout: ending") == true })
    }
}
