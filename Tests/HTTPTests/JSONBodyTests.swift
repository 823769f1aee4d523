import HTTP
import Testing

@Suite("JSON bodies")
struct JSONBodyTests {
    private func request(_ body: String, type: String? = "application/json") -> HTTPRequest {
        HTTPRequest(method: "POST", path: "/", headers: type.map { ["Content-Type": $0] } ?? [:], body: Array(body.utf8))
    }

    private func error(_ body: String, type: String? = "application/json", emptyAllowed: Bool = false) -> APIError? {
        do {
            _ = try JSONBody(request: request(body, type: type), emptyAllowed: emptyAllowed)
            return nil
        } catch {
            return error
        }
    }

    @Test("malformed JSON is a 400 invalid_json")
    func malformed() {
        let failure = error(#"{"userId": "#)
        #expect(failure?.status == 400)
        #expect(failure?.code == .invalidJSON)
    }

    @Test("JSON that is not an object is a 400 that says what it got")
    func notAnObject() {
        let failure = error("[1,2]")
        #expect(failure?.code == .invalidJSON)
        #expect(failure?.message.contains("an array") == true)
    }

    @Test("a non-JSON content type is a 415; a charset parameter is fine")
    func mediaType() throws {
        #expect(error(#"{"a":1}"#, type: "application/x-www-form-urlencoded")?.status == 415)
        #expect(error(#"{"a":1}"#, type: nil)?.status == 415)
        #expect(error(#"{"a":1}"#, type: "application/json; charset=utf-8") == nil)
    }

    @Test("an empty body is an empty object only where allowed")
    func emptyBody() throws {
        #expect(error("", emptyAllowed: false)?.code == .invalidJSON)
        #expect(error("  \n", type: nil, emptyAllowed: true) == nil)
    }

    @Test("field accessors name the field and what was expected")
    func fields() throws {
        let body = try JSONBody(request: request(#"{"userId": 42, "message": "", "stream": "yes", "name": "x"}"#))
        #expect(throws: APIError.self) { try body.requiredString("projectRef") }
        do {
            _ = try body.requiredString("projectRef")
        } catch {
            #expect(error.code == .missingField)
            #expect(error.message.contains("'projectRef'"))
        }
        do {
            _ = try body.requiredString("userId")
        } catch {
            #expect(error.code == .invalidField)
            #expect(error.message.contains("must be a string, not a number"))
        }
        do {
            _ = try body.requiredString("message")
        } catch {
            #expect(error.message.contains("must not be empty"))
        }
        do {
            _ = try body.optionalBool("stream")
        } catch {
            #expect(error.message.contains("'stream'"))
        }
        #expect(try body.optionalString("name", maxLength: 5) == "x")
        #expect(throws: APIError.self) { try body.optionalString("name", maxLength: 0) }
    }

    @Test("unknown fields are listed in the error")
    func unknownFields() throws {
        let body = try JSONBody(request: request(#"{"name": "a", "modle": "b"}"#))
        do {
            try body.rejectUnknownFields(allowed: ["name", "model"])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .unknownField)
            #expect(error.message.contains("'modle'"))
        }
    }

    @Test("error bodies render as {error, code}")
    func errorBody() throws {
        let response = HTTPResponse(error: .payloadTooLarge(limit: 10))
        #expect(response.status == 413)
        let decoded = try JSONCoding.decode([String: String].self, from: response.body)
        #expect(decoded == ["error": "The request body is larger than the 10-byte limit.", "code": "payload_too_large"])
    }
}
