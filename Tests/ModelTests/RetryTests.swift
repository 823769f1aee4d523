import JSON
import Logging
import Model
import TestSupport
import Testing

@Suite("Retries, errors and deadlines", .serialized)
struct RetryTests {
    private static let shared = startFake()
    private let question = ModelRequest(instructions: "", items: [.userMessage("hi")])

    /// The error `body` throws, or nil.
    private func modelError(_ body: () throws(ModelError) -> ModelResponse) -> ModelError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error
        }
    }

    @Test("429 with retry-after-ms then success: one retry", arguments: bothStyles)
    func rateLimitThenSuccess(style: APIStyle) throws {
        let fake = try freshFake(Self.shared)
        try fake.script([json(#"{"error": {"status": 429, "headers": {"retry-after-ms": "10"}}}"#), json(#"{"text": "ok"}"#)])
        let start = ContinuousClock.now
        let response = try makeClient(style, fake).respond(question, deadline: deadline()) { _ in true }
        #expect(response.text == "ok")
        #expect(try fake.requests().count == 2)
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test("500 twice then success", arguments: bothStyles)
    func serverErrorsThenSuccess(style: APIStyle) throws {
        let fake = try freshFake(Self.shared)
        try fake.script([json(#"{"error": {"status": 500}}"#), json(#"{"error": {"status": 503}}"#), json(#"{"text": "ok"}"#)])
        let response = try makeClient(style, fake).respond(question, deadline: deadline()) { _ in true }
        #expect(response.text == "ok")
        #expect(try fake.requests().count == 3)
    }

    @Test("429 three times gives rateLimited with the retry hint")
    func rateLimitedForGood() throws {
        let fake = try freshFake(Self.shared)
        let step = json(#"{"error": {"status": 429, "headers": {"retry-after-ms": "20", "retry-after": "1"}}}"#)
        try fake.script([step, step, step])
        let error = modelError { () throws(ModelError) in
            try makeClient(.responses, fake).respond(question, deadline: deadline()) { _ in true }
        }
        #expect(error?.code == .rateLimited)
        #expect(error?.status == 429)
        #expect(error?.retryAfterSeconds == 1)
        #expect(try fake.requests().count == 3)
    }

    @Test("a retry delay that would pass the deadline fails at once with timedOut")
    func retryPastDeadline() throws {
        let fake = try freshFake(Self.shared)
        try fake.script([json(#"{"error": {"status": 429, "headers": {"retry-after-ms": "5000"}}}"#), json(#"{"text": "ok"}"#)])
        let start = ContinuousClock.now
        let error = modelError { () throws(ModelError) in
            try makeClient(.responses, fake).respond(question, deadline: .now + .seconds(3)) { _ in true }
        }
        #expect(error?.code == .timedOut)
        #expect(error?.retryAfterSeconds == 5)
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(try fake.requests().count == 1)
    }

    @Test("x-should-retry: false stops retries of a 500")
    func shouldRetryHeader() throws {
        let fake = try freshFake(Self.shared)
        try fake.script([json(#"{"error": {"status": 500, "headers": {"x-should-retry": "false"}}}"#), json(#"{"text": "ok"}"#)])
        let error = modelError { () throws(ModelError) in
            try makeClient(.chatCompletions, fake).respond(question, deadline: deadline()) { _ in true }
        }
        #expect(error?.code == .providerError)
        #expect(try fake.requests().count == 1)
    }

    @Test("401 is authFailed, not retried, and never shows the key", arguments: bothStyles)
    func unauthorized(style: APIStyle) throws {
        let fake = try freshFake(Self.shared)
        try fake.script([json(#"{"text": "never"}"#)])
        let key = "sk-wrong-key-1234567890"
        let error = modelError { () throws(ModelError) in
            try makeClient(style, fake, apiKey: key).respond(question, deadline: deadline()) { _ in true }
        }
        #expect(error?.code == .authFailed)
        #expect(error?.status == 401)
        let texts = [error?.message ?? "", error.map { "\($0)" } ?? "", error.map { String(reflecting: $0) } ?? ""]
        #expect(texts.allSatisfy { !$0.contains(key) })
        #expect(try fake.requests().count == 1)
    }

    @Test("a scripted 401 with the key in its message is redacted")
    func redaction() throws {
        let fake = try freshFake(Self.shared)
        try fake.script([json(#"{"error": {"status": 401, "body": {"error": {"message": "Incorrect API key provided: sk-test", "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}}}}"#)])
        let error = modelError { () throws(ModelError) in
            try makeClient(.responses, fake).respond(question, deadline: deadline()) { _ in true }
        }
        #expect(error?.code == .authFailed)
        #expect(error?.message.contains("sk-test") == false)
    }

    @Test("400 is badRequest with the provider's message and is not retried", arguments: bothStyles)
    func badRequest(style: APIStyle) throws {
        let fake = try freshFake(Self.shared)
        try fake.script([json(#"{"error": {"status": 400, "body": {"error": {"message": "Invalid value for 'input'.", "type": "invalid_request_error", "param": "input", "code": null}}}}"#)])
        let error = modelError { () throws(ModelError) in
            try makeClient(style, fake).respond(question, deadline: deadline()) { _ in true }
        }
        #expect(error?.code == .badRequest)
        #expect(error?.message == "Invalid value for 'input'.")
        #expect(try fake.requests().count == 1)
    }

    @Test("400 context_length_exceeded is contextTooLong")
    func contextTooLong() throws {
        let fake = try freshFake(Self.shared)
        try fake.script([json(#"{"error": {"status": 400, "body": {"error": {"message": "Your input exceeds the context window of this model.", "type": "invalid_request_error", "param": "input", "code": "context_length_exceeded"}}}}"#)])
        let error = modelError { () throws(ModelError) in
            try makeClient(.responses, fake).respond(question, deadline: deadline()) { _ in true }
        }
        #expect(error?.code == .contextTooLong)
    }

    @Test("a slow answer past the deadline times out promptly", arguments: bothStyles)
    func deadlinePassed(style: APIStyle) throws {
        let fake = try freshFake(Self.shared)
        try fake.script([json(#"{"delayMs": 3000, "text": "late"}"#), json(#"{"delayMs": 3000, "text": "late"}"#)])
        let start = ContinuousClock.now
        let error = modelError { () throws(ModelError) in
            try makeClient(style, fake).respond(question, deadline: .now + .milliseconds(700)) { _ in true }
        }
        #expect(error?.code == .timedOut)
        #expect(ContinuousClock.now - start < .milliseconds(1500))
    }

    @Test("a stream cut after output was delivered is streamInterrupted and not retried", arguments: bothStyles)
    func cutStream(style: APIStyle) throws {
        let fake = try freshFake(Self.shared)
        try fake.script([json(#"{"cutStreamAfterEvents": 6, "text": "alpha beta gamma delta epsilon zeta eta theta"}"#),
                         json(#"{"text": "should not be asked for"}"#)])
        var request = question
        request.stream = true
        var deltas = 0
        let error = modelError { () throws(ModelError) in
            try makeClient(style, fake).respond(request, deadline: deadline()) { event in
                if case .textDelta = event { deltas += 1 }
                return true
            }
        }
        #expect(deltas > 0)
        #expect(error?.code == .streamInterrupted)
        #expect(try fake.requests().count == 1)
    }

    @Test("a stream cut before any output is retried")
    func cutBeforeOutput() throws {
        let fake = try freshFake(Self.shared)
        try fake.script([json(#"{"cutStreamAfterEvents": 1, "text": "first"}"#), json(#"{"text": "second"}"#)])
        var request = question
        request.stream = true
        let response = try makeClient(.responses, fake).respond(request, deadline: deadline()) { _ in true }
        #expect(response.text == "second")
        #expect(try fake.requests().count == 2)
    }

    @Test("a JSON body cut mid-way is retried like a connection failure")
    func cutJSON() throws {
        let fake = try freshFake(Self.shared)
        try fake.script([json(#"{"cutStreamAfterEvents": 0, "text": "first"}"#), json(#"{"text": "second"}"#)])
        let response = try makeClient(.chatCompletions, fake).respond(question, deadline: deadline()) { _ in true }
        #expect(response.text == "second")
    }

    @Test("an unreachable provider is connectionFailed; no model is notConfigured")
    func unreachable() throws {
        let port = try freeTCPPort()
        let configuration = ModelConfiguration(style: .responses, baseURL: "http://127.0.0.1:\(port)/v1", model: "m",
                                               maxRetries: 0)
        let client = makeModelClient(configuration, logger: Logger(label: "t"))
        let error = modelError { () throws(ModelError) in
            try client.respond(question, deadline: deadline()) { _ in true }
        }
        #expect(error?.code == .connectionFailed)
        let unconfigured = makeModelClient(ModelConfiguration(model: ""), logger: Logger(label: "t"))
        let missing = modelError { () throws(ModelError) in
            try unconfigured.respond(question, deadline: deadline()) { _ in true }
        }
        #expect(missing?.code == .notConfigured)
    }
}
