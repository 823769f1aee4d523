@testable import FastCGI
import Foundation
import Logging
import TestSupport
import Testing

/// Real FastCGI traffic against an in-process server on a unix socket in a temporary directory.
/// Serialized: the stop-signal handler is process-wide and the tests measure thread use.
@Suite("FastCGI server", .serialized, .timeLimit(.minutes(10)))
struct FastCGIServerTests {
    let directory: TemporaryDirectory
    let socketPath: String

    init() throws {
        directory = try TemporaryDirectory(prefix: "fcgi")
        socketPath = directory.file("app.sock")
    }

    private func start(threads: Int = 2, maxRequests: Int = 0, events: EventLog? = nil,
                       handle: @escaping @Sendable (Int, FastCGIExchange) -> Void) throws -> RunningServer {
        let server = RunningServer(configuration: FastCGIServerConfiguration(listen: .unixSocket(socketPath), threads: threads,
                                                                             maxRequests: maxRequests),
                                   events: events, handle: handle)
        try server.waitUntilListening(on: socketPath)
        return server
    }

    private static func respond(_ exchange: FastCGIExchange, _ body: String) {
        try? exchange.write("Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n\(body)")
    }

    @Test("params arrive; the first occurrence wins and an empty value means absent")
    func params() throws {
        let server = try start { _, exchange in
            let lines = [
                "dup=\(exchange.param("X_DUP") ?? "nil")",
                "empty=\(exchange.param("X_EMPTY") ?? "nil")",
                "emptyListed=\(exchange.params["X_EMPTY"] != nil)",
                "absent=\(exchange.param("X_ABSENT") ?? "nil")",
                "long=\(exchange.param("X_LONG")?.count ?? 0)",
                "method=\(exchange.params["REQUEST_METHOD"] ?? "nil")",
                "role=\(exchange.param("FCGI_ROLE") ?? "nil")",
            ]
            Self.respond(exchange, lines.joined(separator: "\n"))
        }
        defer { server.stopAndWait() }
        let response = try FastCGITestClient.request(unixSocket: socketPath, params: [
            ("REQUEST_METHOD", "GET"), ("X_DUP", "first"), ("X_DUP", "second"), ("X_EMPTY", ""),
            ("X_LONG", String(repeating: "v", count: 300)),
        ])
        #expect(response.ended)
        #expect(response.body == "dup=first\nempty=nil\nemptyListed=false\nabsent=nil\nlong=300\nmethod=GET\nrole=RESPONDER")
    }

    @Test("the body is read to the end of stdin across many records")
    func bodyToEnd() throws {
        let server = try start { _, exchange in
            do throws(FastCGIError) {
                let body = try exchange.readBody(limit: 1_000_000)
                Self.respond(exchange, "count=\(body.count) sum=\(body.reduce(0) { $0 &+ Int($1) })")
            } catch {
                Self.respond(exchange, "error=\(error.code)")
            }
        }
        defer { server.stopAndWait() }
        let body = (0..<200_000).map { UInt8($0 % 251) }
        let response = try FastCGITestClient.request(unixSocket: socketPath, params: [("CONTENT_LENGTH", "200000")], body: body)
        #expect(response.body == "count=200000 sum=\(body.reduce(0) { $0 &+ Int($1) })")
        let exact = try FastCGITestClient.request(unixSocket: socketPath, params: [], body: [UInt8](repeating: 7, count: 1_000_000))
        #expect(exact.body == "count=1000000 sum=7000000")
    }

    @Test("a body over the limit fails with bodyTooLarge without reading the rest")
    func bodyOverLimit() throws {
        let server = try start { _, exchange in
            do throws(FastCGIError) {
                let body = try exchange.readBody(limit: 1000)
                Self.respond(exchange, "count=\(body.count)")
            } catch {
                Self.respond(exchange, "error=\(error.code)")
            }
        }
        defer { server.stopAndWait() }

        // Declared too large: answered although no body byte (and no end of body) was ever sent.
        let declared = try FastCGITestClient(unixSocket: socketPath)
        try declared.begin()
        try declared.params([("CONTENT_LENGTH", "10000000")])
        #expect(try declared.readResponse().body == "error=bodyTooLarge")
        declared.close()  // libfcgi waits up to 2 s for the web server to hang up after END_REQUEST

        // Undeclared: 5000 bytes and no end of body; the server stops after limit + 1 bytes instead of waiting.
        let undeclared = try FastCGITestClient(unixSocket: socketPath)
        try undeclared.begin()
        try undeclared.params([])
        try undeclared.stdin([UInt8](repeating: 1, count: 5000), end: false)
        #expect(try undeclared.readResponse().body == "error=bodyTooLarge")
        undeclared.close()

        // Exactly at the limit is fine.
        let atLimit = try FastCGITestClient.request(unixSocket: socketPath, params: [], body: [UInt8](repeating: 1, count: 1000))
        #expect(atLimit.body == "count=1000")
    }

    @Test("concurrent requests are served in parallel, each on its own thread")
    func parallel() throws {
        let barrier = Barrier(parties: 3)
        let server = try start(threads: 3) { index, exchange in
            let together = barrier.arriveAndWait(seconds: 10)
            Self.respond(exchange, "thread=\(index) together=\(together)")
        }
        defer { server.stopAndWait() }
        let responses = ResultBox<String>()
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<3 {
            // Plain threads: Dispatch would run only as many at once as there are CPUs.
            Thread { [socketPath] in
                responses.append((try? FastCGITestClient.request(unixSocket: socketPath, params: []).body) ?? "failed")
                done.signal()
            }.start()
        }
        for _ in 0..<3 { _ = done.wait(timeout: .now() + 20) }
        let bodies = responses.all
        #expect(bodies.count == 3)
        #expect(bodies.allSatisfy { $0.hasSuffix("together=true") })
        #expect(Set(bodies.map { $0.split(separator: " ")[0] }).count == 3)
    }

    @Test("stop() lets a request in flight finish before run() returns, then stops listening")
    func gracefulStop() throws {
        let events = EventLog()
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let server = try start(events: events) { _, exchange in
            entered.signal()
            _ = release.wait(timeout: .now() + 10)
            Self.respond(exchange, "done")
            events.append("handler finished")
        }
        defer { server.stopAndWait() }

        let responses = ResultBox<FastCGITestResponse>()
        let client = Thread { responses.append((try? FastCGITestClient.request(unixSocket: socketPath, params: [])) ?? FastCGITestResponse()) }
        client.start()
        #expect(entered.wait(timeout: .now() + 10) == .success)
        server.server.stop()
        #expect(server.waitForExit(seconds: 0.5) == nil, "run() must wait for the request in flight")
        release.signal()
        let result = server.waitForExit(seconds: 10)
        #expect(result.map { (try? $0.get()) != nil } == true)
        #expect(events.all == ["handler finished", "run returned"])
        for _ in 0..<100 where responses.all.isEmpty { usleep(10_000) }
        #expect(responses.all.first?.body == "done")
        #expect(responses.all.first?.ended == true)
        #expect(access(socketPath, F_OK) != 0, "the socket file is removed")
        #expect(throws: (any Error).self) { try FastCGITestClient(unixSocket: socketPath) }
    }

    @Test("maxRequests makes run() return after exactly that many requests")
    func maxRequests() throws {
        let served = ResultBox<Int>()
        let server = try start(threads: 2, maxRequests: 3) { index, exchange in
            served.append(index)
            Self.respond(exchange, "ok")
        }
        defer { server.stopAndWait() }
        for _ in 0..<3 {
            #expect(try FastCGITestClient.request(unixSocket: socketPath, params: []).body == "ok")
        }
        let result = server.waitForExit(seconds: 5)
        #expect(result.map { (try? $0.get()) != nil } == true)
        #expect(served.all.count == 3)
    }

    @Test("a client that went away makes write throw clientGone, and the server keeps serving")
    func clientGone() throws {
        let closed = DispatchSemaphore(value: 0)
        let outcome = ResultBox<String>()
        let server = try start { _, exchange in
            guard exchange.param("X_CASE") == "gone" else {
                Self.respond(exchange, "still serving")
                return
            }
            _ = closed.wait(timeout: .now() + 10)
            let chunk = [UInt8](repeating: 65, count: 65_536)
            do throws(FastCGIError) {
                for _ in 0..<1000 {
                    try exchange.write(chunk)
                    try exchange.flush()
                }
                outcome.append("no error")
            } catch {
                outcome.append("\(error.code)")
            }
        }
        defer { server.stopAndWait() }

        let client = try FastCGITestClient(unixSocket: socketPath)
        try client.begin()
        try client.params([("X_CASE", "gone")])
        try client.stdin([])
        client.close()
        closed.signal()
        for _ in 0..<500 where outcome.all.isEmpty { usleep(10_000) }
        #expect(outcome.all == ["clientGone"])
        #expect(try FastCGITestClient.request(unixSocket: socketPath, params: []).body == "still serving")
    }

    @Test("SIGTERM, SIGINT and SIGUSR1 stop the server gracefully", arguments: [SIGTERM, SIGINT, SIGUSR1])
    func stopSignal(signal: Int32) throws {
        let server = try start { _, exchange in Self.respond(exchange, "ok") }
        defer { server.stopAndWait() }
        #expect(try FastCGITestClient.request(unixSocket: socketPath, params: []).body == "ok")
        let thread = try #require(server.thread)
        // Sent to the thread that called run(), so no other test thread can take it.
        pthread_kill(thread, signal)
        let result = server.waitForExit(seconds: 5)
        #expect(result.map { (try? $0.get()) != nil } == true)
    }

    @Test("TCP: requests are served and a slow body does not hit the accept timeout")
    func tcp() throws {
        let port = try freeTCPPort()
        let server = RunningServer(configuration: FastCGIServerConfiguration(listen: .tcp(host: "127.0.0.1", port: port), threads: 1)) { _, exchange in
            let body = (try? exchange.readBody(limit: 100)) ?? []
            Self.respond(exchange, "got=\(String(decoding: body, as: UTF8.self))")
        }
        defer { server.stopAndWait() }
        var client: FastCGITestClient?
        for _ in 0..<200 where client == nil {
            client = try? FastCGITestClient(tcpPort: port)
            if client == nil { usleep(10_000) }
        }
        let connected = try #require(client)
        try connected.begin()
        try connected.params([])
        try connected.stdin(Array("slow".utf8), end: false)
        usleep(1_500_000)  // longer than the listening socket's 1 s SO_RCVTIMEO
        try connected.stdin(Array(" body".utf8))
        #expect(try connected.readResponse().body == "got=slow body")
    }

    @Test("listening: a stale socket file is replaced; a live socket, a non-socket file and a long path are refused")
    func listening() throws {
        // A socket file nobody listens on any more.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(socketPath.utf8)) }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(stale)
        let server = RunningServer(configuration: FastCGIServerConfiguration(listen: .unixSocket(socketPath), threads: 1)) { _, exchange in
            Self.respond(exchange, "ok")
        }
        defer { server.stopAndWait() }
        var response: FastCGITestResponse?
        for _ in 0..<200 where response == nil {
            // The stale file exists from the start: wait until the server has replaced it.
            response = try? FastCGITestClient.request(unixSocket: socketPath, params: [])
            if response == nil { usleep(10_000) }
        }
        #expect(response?.body == "ok")
        var status = stat()
        #expect(lstat(socketPath, &status) == 0 && status.st_mode & 0o777 == 0o666)

        let logger = Logger(label: "FastCGITests")
        let noHandler: @Sendable (Int) -> any FastCGIHandler = { index in ClosureHandler(threadIndex: index) { _, _ in } }
        func runError(_ listen: ListenAddress) -> FastCGIError.Code? {
            do throws(FastCGIError) {
                try FastCGIServer(configuration: FastCGIServerConfiguration(listen: listen, threads: 1), logger: logger).run(makeHandler: noHandler)
                return nil
            } catch {
                return error.code
            }
        }
        #expect(runError(.unixSocket(socketPath)) == .listenFailed)
        let file = directory.file("plain-file")
        _ = FileManager.default.createFile(atPath: file, contents: Data("keep".utf8))
        #expect(runError(.unixSocket(file)) == .listenFailed)
        #expect(FileManager.default.contents(atPath: file) == Data("keep".utf8))
        #expect(runError(.unixSocket(directory.file(String(repeating: "x", count: 120)))) == .listenFailed)
        // The test runner's fd 0 is not a listening socket.
        #expect(runError(.inherited) == .listenFailed)
    }

    @Test("an exchange used after its request completed throws requestFinished")
    func usedAfterFinish() throws {
        let kept = ResultBox<FastCGIExchange>()
        let server = try start { _, exchange in
            kept.append(exchange)
            Self.respond(exchange, "ok")
        }
        defer { server.stopAndWait() }
        #expect(try FastCGITestClient.request(unixSocket: socketPath, params: []).body == "ok")
        let exchange = try #require(kept.all.first)
        #expect(throws: FastCGIError.self) { try exchange.write("late") }
        do throws(FastCGIError) { try exchange.write("late") } catch { #expect(error.code == .requestFinished) }
    }

    @Test("end() sends the response and ends the request; the exchange refuses writes after it")
    func endSendsAndCloses() throws {
        let afterEnd = ResultBox<String>()
        let server = try start { _, exchange in
            do throws(FastCGIError) {
                try exchange.write("Status: 201 Created\r\nContent-Type: text/plain\r\n\r\n")
                try exchange.write("ended")
                try exchange.end()
            } catch {
                afterEnd.append("end failed: \(error.code)")
            }
            do throws(FastCGIError) { try exchange.write("late") } catch { afterEnd.append("\(error.code)") }
            do throws(FastCGIError) { try exchange.end() } catch { afterEnd.append("\(error.code)") }
        }
        defer { server.stopAndWait() }
        let response = try FastCGITestClient.request(unixSocket: socketPath, params: [])
        #expect(response.ended)
        #expect(response.body == "ended")
        #expect(response.text.hasPrefix("Status: 201 Created\r\n"))
        // The handler goes on after the client has its answer.
        for _ in 0..<200 where afterEnd.all.count < 2 { usleep(10_000) }
        #expect(afterEnd.all == ["\(FastCGIError.Code.requestFinished)", "\(FastCGIError.Code.requestFinished)"])
    }
}

