import Foundation
@testable import HTTPClient
import Synchronization
import TestSupport
import Testing

/// `HTTPClient` against a real local HTTP server (Python's http.server).
@Suite("HTTP client", .timeLimit(.minutes(10)))
struct HTTPClientTests {
    let server: TestHTTPServer

    init() throws {
        server = try TestHTTPServer()
    }

    private struct Echo: Decodable {
        let method: String
        let path: String
        let headers: [[String]]
        let body: String
        let port: Int

        func header(_ name: String) -> String? {
            headers.last { $0[0].lowercased() == name.lowercased() }?[1]
        }
    }

    private func echo(_ response: HTTPClientResponse) throws -> Echo {
        try JSONDecoder().decode(Echo.self, from: Data(response.body))
    }

    private func code(_ body: () throws(HTTPClientError) -> Void) -> HTTPClientError? {
        do throws(HTTPClientError) {
            try body()
            return nil
        } catch {
            return error
        }
    }

    @Test("GET, POST and DELETE round-trip method, headers and body; status and headers read back")
    func roundTrip() throws {
        let client = try HTTPClient()
        let get = try client.send(HTTPClientRequest(url: "\(server.baseURL)/things?x=1", headers: [(name: "X-Token", value: "abc")]))
        #expect(get.status == 200)
        #expect(get.header("content-type") == "application/json")
        #expect(get.header("X-MULTI") == "b", "the last of repeated headers wins")
        #expect(get.headers.filter { $0.name.lowercased() == "x-multi" }.map(\.value) == ["a", "b"])
        let getEcho = try echo(get)
        #expect(getEcho.method == "GET" && getEcho.path == "/things?x=1" && getEcho.header("X-Token") == "abc")
        #expect(getEcho.body.isEmpty)

        let json = #"{"name":"Ada","emoji":"é"}"#
        let post = try client.send(HTTPClientRequest(method: "POST", url: "\(server.baseURL)/things",
                                                     headers: [(name: "Content-Type", value: "application/json"), (name: "X-Status", value: "201")],
                                                     body: Array(json.utf8)))
        #expect(post.status == 201)
        let postEcho = try echo(post)
        #expect(postEcho.method == "POST")
        #expect(postEcho.body.unicodeScalars.map { UInt8($0.value) } == Array(json.utf8), "the server echoes bytes as Latin-1")
        #expect(postEcho.header("Content-Type") == "application/json")
        #expect(postEcho.header("Expect") == nil, "no Expect: 100-continue")

        let delete = try client.send(HTTPClientRequest(method: "DELETE", url: "\(server.baseURL)/things/1", body: Array("bye".utf8)))
        let deleteEcho = try echo(delete)
        #expect(delete.status == 200 && deleteEcho.method == "DELETE" && deleteEcho.body == "bye")

        let head = try client.send(HTTPClientRequest(method: "HEAD", url: "\(server.baseURL)/things"))
        #expect(head.status == 200 && head.body.isEmpty && head.header("Content-Length") != nil)

        let notFound = try client.send(HTTPClientRequest(url: "\(server.baseURL)/x", headers: [(name: "X-Status", value: "404")]))
        #expect(notFound.status == 404, "HTTP error statuses are responses, not errors")
    }

    @Test("one client reuses its connection for several requests")
    func reuse() throws {
        let client = try HTTPClient()
        var ports: [Int] = []
        for index in 0..<3 {
            let request = index == 1
                ? HTTPClientRequest(method: "POST", url: "\(server.baseURL)/a", body: Array("b".utf8))
                : HTTPClientRequest(url: "\(server.baseURL)/a")
            ports.append(try echo(client.send(request)).port)
        }
        #expect(Set(ports).count == 1, "\(ports)")
    }

    @Test("a refused connection fails quickly with couldNotConnect")
    func refused() throws {
        let port = try freeTCPPort()
        let client = try HTTPClient()
        let started = Date()
        let error = code { () throws(HTTPClientError) in _ = try client.send(HTTPClientRequest(url: "http://127.0.0.1:\(port)/")) }
        #expect(error?.code == .couldNotConnect)
        #expect(Date().timeIntervalSince(started) < 2)
    }

    @Test("a server that stalls past the timeout fails with timedOut")
    func timeout() throws {
        let client = try HTTPClient()
        let started = Date()
        let error = code { () throws(HTTPClientError) in
            _ = try client.send(HTTPClientRequest(url: "\(server.baseURL)/stall", timeoutMilliseconds: 500))
        }
        #expect(error?.code == .timedOut)
        #expect(Date().timeIntervalSince(started) < 2.5)

        // No total limit, but the body stops flowing: the idle guard ends it.
        let idle = code { () throws(HTTPClientError) in
            _ = try client.send(HTTPClientRequest(url: "\(server.baseURL)/stall-body", timeoutMilliseconds: 0, idleTimeoutMilliseconds: 1000))
        }
        #expect(idle?.code == .timedOut)
        #expect(try client.send(HTTPClientRequest(url: "\(server.baseURL)/after")).status == 200, "the client still works")
    }

    @Test("streaming delivers the head, then each chunk before the response ends")
    func streaming() throws {
        let client = try HTTPClient()
        var events: [String] = []
        var text = ""
        let marker = server.markerPath
        let status = try client.stream(HTTPClientRequest(url: "\(server.baseURL)/stream"), onHead: { status, headers in
            events.append("head \(status) \(headers.contains { $0.name.lowercased() == "transfer-encoding" })")
        }, onData: { chunk in
            let piece = String(decoding: chunk, as: UTF8.self)
            text += piece
            events.append("data")
            if piece.contains("first") {
                // The server sends the rest only once this file exists: seeing "first" here proves it arrived early.
                _ = FileManager.default.createFile(atPath: marker, contents: nil)
            }
            return true
        })
        #expect(status == 200)
        #expect(events.first == "head 200 true")
        #expect(events.dropFirst().allSatisfy { $0 == "data" })
        #expect(text == "first\nsecond-after-marker\n")
    }

    @Test("returning false from onData aborts the transfer")
    func abort() throws {
        let client = try HTTPClient()
        var chunks = 0
        let error = code { () throws(HTTPClientError) in
            _ = try client.stream(HTTPClientRequest(url: "\(server.baseURL)/endless"), onHead: { _, _ in }, onData: { _ in
                chunks += 1
                return false
            })
        }
        #expect(error?.code == .aborted)
        #expect(chunks == 1)
        #expect(try client.send(HTTPClientRequest(url: "\(server.baseURL)/after")).status == 200)

        let tooLarge = code { () throws(HTTPClientError) in
            _ = try client.send(HTTPClientRequest(url: "\(server.baseURL)/endless", maxResponseBytes: 10_000))
        }
        #expect(tooLarge?.code == .responseTooLarge)
    }

    @Test("a request whose isCancelled turns true while the server is silent ends cancelled, not with the answer")
    func cancelledWhileWaiting() throws {
        let client = try HTTPClient()
        let wanted = Atomic<Bool>(true)
        Thread {
            usleep(300_000)
            wanted.store(false, ordering: .sequentiallyConsistent)
        }.start()
        // /stall answers 200 after 3 s of silence; only the cancellation can end it sooner, and as an error.
        let request = HTTPClientRequest(url: "\(server.baseURL)/stall", timeoutMilliseconds: 20_000,
                                        isCancelled: { !wanted.load(ordering: .sequentiallyConsistent) })
        let error = code { () throws(HTTPClientError) in _ = try client.send(request) }
        #expect(error?.code == .cancelled, "\(String(describing: error))")

        let early = code { () throws(HTTPClientError) in
            _ = try client.send(HTTPClientRequest(url: "\(server.baseURL)/never", isCancelled: { true }))
        }
        #expect(early?.code == .cancelled)
        let after = try client.send(HTTPClientRequest(url: "\(server.baseURL)/after", isCancelled: { false }))
        #expect(after.status == 200, "a request nobody cancels goes through")
    }

    @Test("bad requests fail with invalidRequest; messages never show credentials or header values")
    func invalidAndRedacted() throws {
        let client = try HTTPClient()
        let badMethod = code { () throws(HTTPClientError) in _ = try client.send(HTTPClientRequest(method: "GE T", url: server.baseURL)) }
        #expect(badMethod?.code == .invalidRequest)
        let injected = code { () throws(HTTPClientError) in
            _ = try client.send(HTTPClientRequest(url: server.baseURL, headers: [(name: "X-A", value: "1\r\nX-B: 2")]))
        }
        #expect(injected?.code == .invalidRequest)
        let scheme = code { () throws(HTTPClientError) in _ = try client.send(HTTPClientRequest(url: "file:///etc/passwd")) }
        #expect(scheme?.code == .invalidRequest)

        let port = try freeTCPPort()
        let secretRequest = HTTPClientRequest(url: "http://user:s3cret-pass@127.0.0.1:\(port)/",
                                              headers: [(name: "Authorization", value: "Bearer sk-test-123")])
        let refused = try #require(code { () throws(HTTPClientError) in _ = try client.send(secretRequest) })
        #expect(refused.code == .couldNotConnect)
        for text in [refused.message, refused.description, refused.debugDescription, "\(refused)"] {
            #expect(!text.contains("s3cret") && !text.contains("sk-test-123"), "\(text)")
        }
        #expect(refused.description == "HTTPClientError.couldNotConnect")
        let redacted = HTTPClient.redact("failed for user:s3cret-pass with Bearer sk-test-123", for: secretRequest)
        #expect(!redacted.contains("s3cret") && !redacted.contains("sk-test-123"), "\(redacted)")
    }
}
