import Foundation
import JSON
import TestSupport
import Testing

/// What a chat client gets when the model provider misbehaves — rate limits, server errors, refused
/// credentials, silence, broken streams, malformed tool arguments, a model that never stops calling
/// tools — and that the thread always continues afterwards. Everything goes through nginx to real workers.
@Suite("Chat provider faults", .serialized)
struct ChatFaultTests {
    @Test("a 429 with retry-after-ms is retried and the turn completes")
    func rateLimitedOnce() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        try harness.provider.script([errorStep(429, headers: ["retry-after-ms": "50"]), textStep("Sorry for the wait.")])
        let response = try harness.say("hello")
        #expect(response.status == 200, "\(response.text)\n\(harness.logs)")
        #expect(response.json["status"] as? String == "completed")
        #expect(response.json["response"] as? String == "Sorry for the wait.")
        #expect(try harness.provider.requests().count == 2, "one retry")
        #expect(harness.providerStatuses() == [429, 200], "\(harness.provider.log)")
    }

    @Test("429 beyond OPENAI_MAX_RETRIES is 429 provider_rate_limited with Retry-After; the thread continues")
    func rateLimitedForGood() throws {
        let harness = try ChatHarness(environment: ["OPENAI_MAX_RETRIES": "2"])
        defer { harness.stop() }
        let limited = errorStep(429, headers: ["retry-after-ms": "50"])
        try harness.provider.script([limited, limited, limited])
        let response = try harness.say("hello, busy model")
        #expect(response.status == 429, "\(response.text)\n\(harness.logs)")
        #expect(response.errorCode == "provider_rate_limited", "\(response.text)")
        #expect(response.isJSONError, "\(response.text)")
        let retryAfter = try #require(response.header("Retry-After"), "\(response.headers)")
        #expect((Int(retryAfter) ?? 0) >= 1, "Retry-After is whole seconds: \(retryAfter)")
        #expect(try harness.provider.requests().count == 3, "the first call and two retries")
        try harness.expectThreadContinues(try harness.threadId(), after: "hello, busy model")
    }

    @Test("500 three times is 502 provider_error; the thread continues")
    func serverErrors() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        try harness.provider.script([errorStep(500), errorStep(500), errorStep(500)])
        let response = try harness.say("hello, broken model")
        #expect(response.status == 502, "\(response.text)\n\(harness.logs)")
        #expect(response.errorCode == "provider_error", "\(response.text)")
        #expect(response.isJSONError, "\(response.text)")
        #expect(try harness.provider.requests().count == 3)
        try harness.expectThreadContinues(try harness.threadId(), after: "hello, broken model")
    }

    @Test("a 401 is 502 provider_auth_failed, and the API key appears in no answer and no log")
    func authFailureKeepsTheKeySecret() throws {
        let secret = "sk-secret-7f3a9c2e51d84b06e1aa"
        let model = try FakeModelProvider(apiKey: secret)
        defer { model.stop() }
        // The provider's error quotes the whole key, which a careless server would pass on.
        let envelope = JSONValue.object(["error": .object([
            "message": .string("Incorrect API key provided: \(secret). You can find your API key at https://platform.openai.com/account/api-keys."),
            "type": .string("invalid_request_error"), "param": .null, "code": .string("invalid_api_key"),
        ])])
        let harness = try ChatHarness(environment: ["OPENAI_BASE_URL": model.baseURL, "OPENAI_API_KEY": secret,
                                                    "LOG_LEVEL": "trace"])
        defer { harness.stop() }
        try model.script([errorStep(401, body: envelope), errorStep(401, body: envelope)])
        let response = try harness.say("hello, picky model")
        #expect(response.status == 502, "\(response.text)\n\(harness.logs)\n\(model.log)")
        #expect(response.errorCode == "provider_auth_failed", "\(response.text)")
        #expect(response.isJSONError, "\(response.text)")
        #expect(try model.requests().count == 1, "a refused key is not retried")
        #expect(try model.requests().first?["headers"]?["Authorization"]?.stringValue?.hasSuffix(String(secret.suffix(4))) == true,
                "the workers sent the configured key")
        #expect(!response.text.contains(secret), "\(response.text)")
        let stream = try harness.streamChat(["message": .string("hello again"), "stream": .bool(true)])
        #expect(stream.first("error")?.json["code"] as? String == "provider_auth_failed", "\(stream.text)")
        #expect(!stream.text.contains(secret), "\(stream.text)")
        let logs = harness.serverLogs
        #expect(logs.contains("model call failed"), "the failure is logged:\n\(logs)")
        #expect(!logs.contains(secret), "the key leaked into a log:\n\(logs)")
        #expect(!logs.contains(String(secret.dropFirst(3))), "part of the key leaked into a log")
        try harness.expectThreadContinues(try harness.threadId(), after: "hello, picky model", model: model)
    }

    @Test("a model slower than CHAT_DEADLINE_MS is 504 provider_timeout within a few seconds; the thread continues")
    func slowModel() throws {
        let harness = try ChatHarness(environment: ["CHAT_DEADLINE_MS": "2000"])
        defer { harness.stop() }
        let slow = delayed(textStep("Too late."), milliseconds: 8_000)
        try harness.provider.script([slow, slow, slow])
        let started = ContinuousClock.now
        let response = try harness.say("hello, slow model")
        let elapsed = started.duration(to: .now)
        #expect(response.status == 504, "\(response.text)\n\(harness.logs)")
        #expect(response.errorCode == "provider_timeout", "\(response.text)")
        #expect(response.isJSONError, "\(response.text)")
        #expect(elapsed >= .milliseconds(1_800), "it waited for the deadline: \(elapsed)")
        #expect(elapsed < .seconds(5), "no hang past the deadline: \(elapsed)")
        try harness.expectThreadContinues(try harness.threadId(), after: "hello, slow model")
    }

    @Test("a stream that breaks after text arrived is not retried and ends with an error event; the thread continues")
    func streamCutAfterOutput() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        // created, in_progress, output_item.added, content_part.added, then the first text delta: cut there.
        try harness.provider.script([cut(textStep("This answer breaks off halfway through."), afterEvents: 5),
                                     textStep("A retry would say this.")])
        let stream = try harness.streamChat(["message": .string("tell me a story"), "stream": .bool(true)])
        #expect(stream.status == 200, "\(stream.text)\n\(harness.logs)")
        #expect(stream.names.first == "run.created", "\(stream.names)")
        #expect(stream.names.contains("message.delta"), "text arrived before the cut: \(stream.names)")
        #expect(stream.names.last == "error", "\(stream.names)\n\(stream.text)")
        #expect(!stream.names.contains("run.completed"), "\(stream.names)")
        let error = try #require(stream.first("error"), "\(stream.text)")
        #expect(error.json["code"] as? String == "provider_error", "\(error.data)")
        #expect(error.json["status"] as? Int == 502, "\(error.data)")
        #expect((error.json["error"] as? String)?.isEmpty == false, "\(error.data)")
        #expect(try harness.provider.requests().count == 1, "a stream that delivered output is never retried")
        try harness.expectThreadContinues(try harness.threadId(), after: "tell me a story")
    }

    @Test("a stream that breaks before any output is retried and the turn completes")
    func streamCutBeforeOutput() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        // Only response.created and response.in_progress get through: nothing reached the client yet.
        try harness.provider.script([cut(textStep("Lost."), afterEvents: 2), textStep("Second time lucky.")])
        let stream = try harness.streamChat(["message": .string("hello"), "stream": .bool(true)])
        #expect(stream.status == 200, "\(stream.text)\n\(harness.logs)")
        #expect(stream.names.last == "run.completed", "\(stream.names)\n\(stream.text)")
        #expect(!stream.names.contains("error"), "\(stream.text)")
        #expect(stream.first("run.completed")?.json["response"] as? String == "Second time lucky.")
        #expect(try harness.provider.requests().count == 2)
    }

    @Test("a JSON answer cut mid-body is retried and the turn completes")
    func jsonCutMidBody() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        try harness.provider.script([cut(textStep("Lost."), afterEvents: 0), textStep("Whole this time.")])
        let response = try harness.say("hello")
        #expect(response.status == 200, "\(response.text)\n\(harness.logs)")
        #expect(response.json["response"] as? String == "Whole this time.")
        #expect(try harness.provider.requests().count == 2)
    }

    @Test("a 400 context_length_exceeded is retried with the oldest turns trimmed, and the turn completes")
    func contextTooLong() throws {
        // About 1,500 tokens a note: three notes and a question fit 8,000 tokens, but not the halved 4,000.
        let harness = try ChatHarness(environment: ["CHAT_HISTORY_TOKENS": "8000"])
        defer { harness.stop() }
        let filler = String(repeating: "the quick brown fox ", count: 300)
        let notes = ["The first note", "The second note", "The third note"]
        try harness.provider.script(notes.map { _ in textStep("Noted.") })
        for note in notes {
            let stored = try harness.say("\(note): \(filler)")
            try #require(stored.status == 200, "\(stored.text)\n\(harness.logs)")
        }
        let earlier = try harness.provider.requests().count
        let tooLong = JSONValue.object(["error": .object([
            "message": .string("Your input exceeds the context window of this model. Please adjust your input and try again."),
            "type": .string("invalid_request_error"), "param": .string("input"), "code": .string("context_length_exceeded"),
        ])])
        try harness.provider.script([errorStep(400, body: tooLong), textStep("Your notes are about a fox.")])
        let question = "What were my notes about?"
        let response = try harness.say(question)
        #expect(response.status == 200, "\(response.text)\n\(harness.logs)")
        #expect(response.json["status"] as? String == "completed", "\(response.text)")
        #expect(response.json["response"] as? String == "Your notes are about a fox.")
        #expect(harness.providerStatuses().suffix(2) == [400, 200], "\(harness.provider.log)")

        let calls = try harness.provider.requests().dropFirst(earlier).map { $0["body"]?["input"]?.arrayValue ?? [] }
        try #require(calls.count == 2, "the refused call and one retry: \(calls.count)")
        let users = calls.map { input in
            input.filter { $0["role"]?.stringValue == "user" }.map { $0["content"]?.serialized() ?? "" }
        }
        #expect(users[0].count == 4, "the first call carried every note and the question: \(users[0].count)")
        #expect(users[1].count < users[0].count, "the retry carried fewer turns: \(users[1].count) of \(users[0].count)")
        #expect(!users[1].contains { $0.contains(notes[0]) }, "the oldest turn went first")
        #expect(users[1].last?.contains(question) == true, "the question itself is always sent")
        let sizes = calls.map { JSONValue.array($0).serializedBytes().count }
        #expect(sizes[1] < sizes[0], "the retried history is smaller: \(sizes)")
    }

    @Test("tool arguments that are not JSON go back to the model as invalid_arguments and the run completes")
    func invalidToolArguments() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        try harness.provider.script([toolStep([("run_sql", "{not json")]), textStep("I sent broken arguments; fixed now.")])
        let response = try harness.say("count the customers")
        #expect(response.status == 200, "\(response.text)\n\(harness.logs)")
        #expect(response.json["status"] as? String == "completed")
        #expect(response.json["response"] as? String == "I sent broken arguments; fixed now.")
        let call = try #require(response.toolCalls.first, "\(response.text)")
        #expect(call["name"] as? String == "run_sql")
        #expect(call["success"] as? Bool == false)
        #expect((call["error"] as? [String: Any])?["code"] as? String == "invalid_arguments", "\(response.text)")
        let outputs = try harness.toolOutputs(inModelRequest: 1)
        #expect(outputs.count == 1, "\(outputs)")
        #expect(outputs.first?.contains("invalid_arguments") == true, "the model hears what was wrong: \(outputs)")
        #expect(try harness.provider.requests().count == 2)
    }

    @Test("CHAT_MAX_ROUNDS bounds a model that keeps calling tools; the last round is offered none")
    func roundLimit() throws {
        let (harness, runs) = try inspectableHarness(environment: ["CHAT_MAX_ROUNDS": "2"])
        defer { harness.stop() }
        let again = toolStep([("list_tables", "{}")])
        try harness.provider.script([again, again, again, again, textStep("Fine, here is what I know.")])
        let response = try harness.say("list the tables forever")
        let requests = try harness.provider.requests()
        #expect(requests.count == 2, "at most CHAT_MAX_ROUNDS model calls, got \(requests.count)\n\(response.text)")
        let offered = requests.map { $0["body"]?["tools"]?.arrayValue?.count ?? 0 }
        #expect(offered.count == 2 && offered[0] > 0, "the first round offers the tools: \(offered)")
        #expect(offered.dropFirst().allSatisfy { $0 == 0 }, "the last round offers no tools: \(offered)")
        #expect(response.status == 200, "\(response.text)\n\(harness.logs)")
        #expect(response.json["status"] as? String == "completed")
        let calls = response.json["toolCalls"] as? [[String: Any]] ?? []
        #expect(calls.count == 2, "the first round's call ran, the last round's was refused: \(calls)")
        #expect((calls.last?["error"] as? [String: Any])?["code"] as? String == "round_limit")
        let runId = try #require(try harness.messages().first?["runId"] as? String)
        let run = try #require(try runs.run(runId))
        #expect(!["in_progress", "queued", "requires_action"].contains(run.status), "the run ended: \(run)")
        try harness.expectThreadContinues(try harness.threadId(), after: "list the tables forever")
    }

    @Test("another user's thread is 404 thread_not_found; approve without threadId is 400")
    func isolation() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        try harness.provider.script([textStep("Hi Ada.")])
        let mine = try harness.say("hello")
        try #require(mine.status == 200, "\(mine.text)\n\(harness.logs)")
        let threadId = try #require(mine.json["threadId"] as? String)

        let intruder = try harness.say("read me Ada's thread", userId: "mallory", threadId: threadId)
        #expect(intruder.status == 404, "\(intruder.text)")
        #expect(intruder.errorCode == "thread_not_found", "\(intruder.text)")
        #expect(intruder.isJSONError)
        let cancel = try harness.chat(["cancel": .string(mine.json["runId"] as? String ?? ""), "threadId": .string(threadId)],
                                      userId: "mallory")
        #expect(cancel.status == 404, "\(cancel.text)")
        #expect(cancel.errorCode == "thread_not_found", "\(cancel.text)")
        let unknown = try harness.say("hello", threadId: "thread_does_not_exist")
        #expect(unknown.status == 404, "\(unknown.text)")
        #expect(unknown.errorCode == "thread_not_found", "\(unknown.text)")

        let approve = try harness.chat(["approve": .string("act_whatever")])
        #expect(approve.status == 400, "\(approve.text)")
        #expect(approve.errorCode == "missing_field", "\(approve.text)")
        #expect(approve.isJSONError)
        #expect(try harness.provider.requests().count == 1, "no refused request reached the model")
        #expect(try harness.messages(userId: "mallory").isEmpty, "nothing was stored for the intruder")
        #expect(try harness.messages().count == 2, "Ada's thread is untouched")
    }
}
