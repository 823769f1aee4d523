import Foundation
import HTTPClient
import JSON
import TestSupport
import Testing

/// The workers' log through real nginx and workers: one JSON object per line, and the id nginx gives a
/// request (its `X-Request-Id` header) finds that request's lines, which name its user and run.
@Suite("Request log lines through nginx", .serialized)
struct RequestLogTests {
    @Test("a chat turn's lines carry the X-Request-Id nginx returned, the user and the run; every line parses")
    func chatTurnLines() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        try harness.provider.script([toolStep([("list_tables", #"{"schema":"public"}"#), ("list_tables", "{}")]),
                                     textStep("two lists")])
        let response = try harness.say("what tables are there?", userId: "lin")
        #expect(response.status == 200, "\(response.text)\n\(harness.logs)")
        let runId = try #require(response.json["runId"] as? String)
        let requestId = try #require(response.header("x-request-id"), "nginx returns its request id")
        #expect(requestId.count == 32 && requestId.allSatisfy(\.isHexDigit), "\(requestId)")

        var lines: [LogLine] = []
        #expect(eventually(within: 5) {
            lines = harness.service.workers.logLines.filter { $0.string("request_id") == requestId }
            return lines.contains { $0.event == "run ended" }
        }, "the request's lines:\n\(harness.service.workers.log)")
        for line in lines {
            #expect(line.string("user") == "lin", "\(line)")
            #expect(line["worker"]?.intValue != nil && line.string("ts")?.hasSuffix("Z") == true, "\(line)")
        }
        let ended = try #require(lines.first { $0.event == "run ended" })
        #expect(ended.string("run_id") == runId && ended.string("level") == "info", "\(ended)")
        #expect(ended["duration_ms"]?.intValue != nil, "\(ended)")
        let audits = lines.filter { $0.event == "audit" }
        #expect(audits.count == 2, "one audit line per tool call: \(lines)")
        #expect(audits.allSatisfy { $0.string("run_id") == runId && $0.string("tool") == "list_tables" }, "\(audits)")

        // Lines from every thread and process share one file: none may be cut or run into another.
        let workerLines = harness.service.workers.log.split(separator: "\n").filter { $0.contains(#""worker":"#) }
        #expect(!workerLines.isEmpty)
        for line in workerLines {
            #expect(line.hasPrefix(#"{"ts":""#) && (try? JSONValue.parse(String(line)))?.objectValue != nil, "\(line)")
        }
    }

    @Test("errors, the app's and nginx's own, carry an X-Request-Id; the app's failure is logged under it")
    func errorsCarryTheId() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        // A client's own X-Request-Id does not replace nginx's.
        let missing = try harness.service.request("GET", "/api/ai/assistant/thread", headers: [("X-Request-Id", "client-chosen")])
        #expect(missing.status == 400, "\(missing.text)")
        let appId = try #require(missing.header("x-request-id"))
        #expect(appId != "client-chosen" && appId.count == 32)
        let nginxAnswer = try harness.service.request("GET", "/elsewhere")
        #expect(nginxAnswer.status == 404 && nginxAnswer.text.contains("not_found"))
        #expect(nginxAnswer.header("x-request-id")?.count == 32 && nginxAnswer.header("x-request-id") != appId)

        // A chat whose model call fails logs a warning under the request's id, with the user.
        try harness.provider.script([.object(["error": .object(["status": .number(400)])])])
        let failed = try harness.say("this fails", userId: "mo")
        #expect(failed.status >= 400, "\(failed.text)")
        let failedId = try #require(failed.header("x-request-id"))
        var lines: [LogLine] = []
        #expect(eventually(within: 5) {
            lines = harness.service.workers.logLines.filter { $0.string("request_id") == failedId }
            return lines.contains { $0.event == "run ended" }
        }, "\(harness.logs)")
        #expect(lines.contains { $0.event == "model call failed" && $0.string("level") == "warning" && $0.string("user") == "mo" },
                "\(lines)")
        #expect(lines.allSatisfy { $0.string("run_id")?.hasPrefix("run_") == true }, "\(lines)")
    }

    @Test("behind the auth service the lines name the user nginx passed (AUTH_USER), not one the body claims")
    func authenticatedUser() throws {
        let auth = try AuthStandIn(users: ["tok-alice": "alice"], forbidden: [])
        defer { auth.stop() }
        // A model that cannot be reached: the run starts, its model call fails, and both are logged.
        let service = try Service(store: .sqlite, workers: 1, threads: 2, environment: [
            "LOG_LEVEL": "info", "OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "OPENAI_API_KEY": "sk-unused",
            "OPENAI_MAX_RETRIES": "0",
        ], authURL: auth.baseURL)
        defer { service.stop() }
        let response = try service.request("POST", "/api/ai/assistant/chat", body: #"{"projectRef":"p","message":"hi"}"#,
                                           headers: [("Authorization", "Bearer tok-alice")])
        let requestId = try #require(response.header("x-request-id"), "\(response.status) \(response.text)")
        var lines: [LogLine] = []
        #expect(eventually(within: 5) {
            lines = service.workers.logLines.filter { $0.string("request_id") == requestId }
            return lines.contains { $0.event == "run ended" }
        }, "\(response.status) \(response.text)\n\(service.workers.log)")
        #expect(!lines.isEmpty && lines.allSatisfy { $0.string("user") == "alice" && $0.string("run_id") != nil }, "\(lines)")
    }
}
