import HTTP
import Logging
import Testing

@Suite("Router")
struct RouterTests {
    private func router() -> Router {
        var router = Router(logger: Logger(label: "test"))
        router.add("GET", "/things") { _ in .json(["ok": true]) }
        router.add("DELETE", "/things") { _ in .json(["deleted": true]) }
        router.add("POST", "/fail") { _ in throw APIError.missingField("userId") }
        router.add("POST", "/bug") { _ in throw BugError() }
        return router
    }

    private struct BugError: Error {}

    private func body(_ response: HTTPResponse) throws -> APIError.Body {
        try JSONCoding.decode(APIError.Body.self, from: response.body)
    }

    @Test("an unknown path is a 404 JSON error naming the path")
    func unknownPath() throws {
        let response = router().respond(to: HTTPRequest(method: "GET", path: "/nope"))
        #expect(response.status == 404)
        #expect(response.header("content-type") == "application/json")
        let error = try body(response)
        #expect(error.code == "not_found")
        #expect(error.error.contains("/nope"))
    }

    @Test("a known path with another method is a 405 with Allow listing the methods")
    func wrongMethod() throws {
        let response = router().respond(to: HTTPRequest(method: "PUT", path: "/things"))
        #expect(response.status == 405)
        #expect(response.header("Allow") == "GET, DELETE")
        #expect(try body(response).code == "method_not_allowed")
    }

    @Test("one route, one spelling: a trailing slash, doubled slashes, dot segments or a canonically equal path are a 404")
    func exactPathsOnly() throws {
        var router = router()
        router.add("GET", "/Kelvin") { _ in .json(["ok": true]) }
        #expect(router.respond(to: HTTPRequest(method: "get", path: "/things")).status == 200)
        #expect(router.respond(to: HTTPRequest(method: "get", path: "/Kelvin")).status == 200)
        // U+212A KELVIN SIGN is canonically equal to "K": Swift's == says yes, the bytes say no.
        for path in ["/things/", "/things//", "/things/.", "/things/./", "/nope/../things", "//things", "/\u{212A}elvin"] {
            let response = router.respond(to: HTTPRequest(method: "GET", path: path))
            #expect(response.status == 404, "\(path)")
            #expect(try body(response).code == "not_found", "\(path)")
        }
    }

    @Test("an APIError from a handler is rendered with its status and code")
    func apiError() throws {
        let response = router().respond(to: HTTPRequest(method: "POST", path: "/fail"))
        #expect(response.status == 400)
        let error = try body(response)
        #expect(error.code == "missing_field")
        #expect(error.error.contains("userId"))
    }

    @Test("any other error is a 500 that reveals nothing about it")
    func unexpectedError() throws {
        let response = router().respond(to: HTTPRequest(method: "POST", path: "/bug"))
        #expect(response.status == 500)
        let error = try body(response)
        #expect(error.code == "internal_error")
        #expect(!error.error.contains("BugError"))
    }
}
