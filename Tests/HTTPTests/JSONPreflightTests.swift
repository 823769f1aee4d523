import HTTP
import Testing

/// Untrusted JSON is checked before Foundation's decoder sees it.
@Suite("JSON preflight")
struct JSONPreflightTests {
    private func request(_ body: [UInt8]) -> HTTPRequest {
        HTTPRequest(method: "POST", path: "/x", headers: ["content-type": "application/json"], body: body)
    }

    private func refusal(_ body: [UInt8]) -> APIError? {
        do {
            _ = try JSONBody(request: request(body))
            return nil
        } catch {
            return error
        }
    }

    @Test("nesting past the limit is a 400, including the 513 open brackets that crash Foundation's decoder")
    func depth() {
        for body in [String(repeating: "[", count: 513), String(repeating: "[", count: 65) + String(repeating: "]", count: 65),
                     "{\"a\":" + String(repeating: "{\"a\":", count: 100) + "1" + String(repeating: "}", count: 101)] {
            #expect(refusal(Array(body.utf8))?.code == .invalidJSON, "\(body.prefix(20))")
        }
        let fine = "{\"a\":" + String(repeating: "[", count: 63) + String(repeating: "]", count: 63) + "}"
        #expect(refusal(Array(fine.utf8)) == nil, "64 levels are accepted")
        let inString = #"{"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"["}"#
        #expect(refusal(Array(inString.utf8)) == nil, "brackets inside strings (and escaped quotes) do not count")
    }

    @Test("UTF-16, invalid UTF-8, NUL bytes and trailing commas are refused")
    func lenientInput() {
        let utf16 = #"{"a":1}"#.utf16.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }
        let cases: [[UInt8]] = [[0xFF, 0xFE] + utf16, utf16, Array(#"{"a":"#.utf8) + [0xFF] + Array("}".utf8),
                                Array(#"{"a":1}"#.utf8) + [0], Array(#"{"a":1,}"#.utf8), Array(#"{"a":[1, ]}"#.utf8)]
        for body in cases {
            #expect(refusal(body)?.code == .invalidJSON, "\(body)")
        }
        #expect(refusal(Array(#"{"a":"x,]"}"#.utf8)) == nil, "a comma before a bracket inside a string is text")
    }
}
