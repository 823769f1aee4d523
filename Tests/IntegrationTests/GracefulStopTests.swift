import Foundation
import HTTPClient
import JSON
import TestSupport
import Testing

/// Stopping a pool the way systemd does (SIGTERM to the launcher, which multiwatch turns into SIGUSR1
/// for every worker) while a chat turn is in flight: the turn finishes, new connections are refused,
/// and PGASSIST_STOP_GRACE_MS bounds the wait.
@Suite("Graceful stop", .serialized, .timeLimit(.minutes(10)))
struct GracefulStopTests {
    private static func startService(provider: FakeModelProvider, graceMilliseconds: Int) throws -> Service {
        try Service(store: .sqlite, workers: 2, threads: 2, environment: [
            "OPENAI_BASE_URL": provider.baseURL, "OPENAI_API_KEY": provider.apiKey, "OPENAI_MODEL": "gpt-test",
            "PGASSIST_STOP_GRACE_MS": String(graceMilliseconds), "LOG_LEVEL": "info",
        ])
    }

    /// Starts `POST /chat` on its own thread; the box fills with the response (or the error text).
    private static func chatInBackground(_ service: Service, user: String) -> ResponseBox {
        let box = ResponseBox()
        let body: JSONValue = .object(["userId": .string(user), "projectRef": .string("proj_1"), "message": .string("hi")])
        Thread {
            box.set(Result { try service.request("POST", "/api/ai/assistant/chat", body: body.serialized()) })
        }.start()
        return box
    }

    /// Waits until the fake model has received `count` calls (the chat is then in flight in a worker).
    private static func waitForModelCalls(_ provider: FakeModelProvider, count: Int) -> Bool {
        eventually(within: 10) { ((try? provider.requests().count) ?? 0) >= count }
    }

    @Test("a chat in flight finishes with 200 while the pool stops; new connections get a JSON 502 at once")
    func inFlightRequestFinishes() throws {
        let provider = try FakeModelProvider()
        defer { provider.stop() }
        let service = try Self.startService(provider: provider, graceMilliseconds: 10_000)
        defer { service.stop() }
        try provider.script([.object(["text": .string("done"), "delayMs": .number(2_000)])])
        let workers = service.workers.workerPIDs()

        let chat = Self.chatInBackground(service, user: "stopping")
        #expect(Self.waitForModelCalls(provider, count: 1), "\(service.logs)")
        let stopBegan = Date()
        service.workers.beginStop()

        // Within moments of the signal the socket refuses connections: nginx answers 502 itself.
        var refused: HTTPClientResponse?
        #expect(try eventually(within: 1.5) {
            let response = try service.request("GET", "/api/ai/assistant/thread?userId=late")
            if response.status == 502 { refused = response }
            return refused != nil
        }, "\(service.logs)")
        #expect(refused?.isJSONError == true && refused?.errorCode == "upstream_unavailable")
        #expect(chat.value == nil, "the chat is still in flight when new requests are refused")

        #expect(eventually(within: 10) { chat.value != nil })
        let response = try #require(chat.value).get()
        #expect(response.status == 200, "\(response.status) \(response.text)\n\(service.logs)")
        #expect(response.text.contains("done"))
        #expect(service.workers.waitUntilGone(seconds: 10), "the pool exits once its requests are done")
        #expect(Date().timeIntervalSince(stopBegan) < 8)
        #expect(workers.allSatisfy { !WorkerPool.isAlive($0) })
        let logs = service.workers.log
        #expect(logs.contains("received SIGUSR1 from the supervisor"), "\(logs)")
        #expect(!logs.contains("exiting with requests in flight"))
    }

    @Test("requests still running when PGASSIST_STOP_GRACE_MS is over are cut short and the workers exit")
    func graceRunsOut() throws {
        let provider = try FakeModelProvider()
        defer { provider.stop() }
        let service = try Self.startService(provider: provider, graceMilliseconds: 1_000)
        defer { service.stop() }
        try provider.script([.object(["text": .string("never seen"), "delayMs": .number(8_000)])])

        let chat = Self.chatInBackground(service, user: "cut")
        #expect(Self.waitForModelCalls(provider, count: 1), "\(service.logs)")
        let stopBegan = Date()
        service.workers.beginStop()
        #expect(service.workers.waitUntilGone(seconds: 6), "\(service.logs)")
        let stoppedAfter = Date().timeIntervalSince(stopBegan)
        #expect(stoppedAfter >= 0.9 && stoppedAfter < 4, "stopped after \(stoppedAfter) s with a 1 s grace period")

        #expect(eventually(within: 5) { chat.value != nil })
        let response = try #require(chat.value).get()
        #expect(response.status == 502, "\(response.status) \(response.text)")
        let logs = service.workers.log
        #expect(service.workers.logLines.contains { $0.event == "request cut short by the stop" && $0.string("path") == "/api/ai/assistant/chat" },
                "\(logs)")
        #expect(logs.contains("exiting with requests in flight"))
    }

    @Test("SIGTERM to one worker stops only that one: the shared socket stays open and multiwatch replaces it")
    func oneWorkerStopped() throws {
        let service = try Service(store: .sqlite, workers: 2, threads: 2, environment: ["PGASSIST_STOP_GRACE_MS": "10000"])
        defer { service.stop() }
        let workers = service.workers.workerPIDs()
        let stopped = try #require(workers.first)
        kill(stopped, SIGTERM)
        #expect(eventually(within: 5) { !WorkerPool.isAlive(stopped) })
        for index in 0..<10 {
            let response = try service.request("GET", "/api/ai/assistant/thread?userId=one\(index)")
            #expect(response.status == 200, "\(response.text)\n\(service.logs)")
        }
        #expect(eventually(within: 5) { service.workers.workerPIDs().count == 2 })
        let logs = service.workers.log
        #expect(service.workers.logLines.contains { $0.event == "FastCGI server stopping" && $0.string("reason") == "received SIGTERM" },
                "\(logs)")
        #expect(!logs.contains("from the supervisor") && !logs.contains("refuses new connections"))
    }

    @Test("a second SIGTERM to the launcher ends the workers at once, requests in flight or not")
    func secondSignal() throws {
        let provider = try FakeModelProvider()
        defer { provider.stop() }
        let service = try Self.startService(provider: provider, graceMilliseconds: 20_000)
        defer { service.stop() }
        try provider.script([.object(["text": .string("never seen"), "delayMs": .number(8_000)])])

        let chat = Self.chatInBackground(service, user: "impatient")
        #expect(Self.waitForModelCalls(provider, count: 1), "\(service.logs)")
        service.workers.beginStop()
        usleep(500_000)
        let secondSignal = Date()
        service.workers.beginStop()  // multiwatch forwards a second signal as it is
        #expect(service.workers.waitUntilGone(seconds: 5), "\(service.logs)")
        #expect(Date().timeIntervalSince(secondSignal) < 3)
        #expect(eventually(within: 5) { chat.value != nil })
        #expect(try #require(chat.value).get().status == 502)
        #expect(service.workers.log.contains("a second SIGTERM while stopping"), "\(service.workers.log)")
    }
}

/// A response handed from a client thread to the test.
final class ResponseBox: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<HTTPClientResponse, any Error>?

    func set(_ value: Result<HTTPClientResponse, any Error>) { lock.withLock { result = value } }
    var value: Result<HTTPClientResponse, any Error>? { lock.withLock { result } }
}
