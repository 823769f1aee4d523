@testable import FastCGI
import Foundation
import Testing

/// The CGI side of `FastCGIExchange`: the environment and two pipes stand in for environ, stdin and stdout.
@Suite("CGI exchange")
struct CGIExchangeTests {
    /// A pipe whose ends are closed when the test is done.
    final class Pipe {
        let read: Int32
        var write: Int32
        init() {
            var fds: [Int32] = [0, 0]
            pipe(&fds)
            read = fds[0]
            write = fds[1]
        }
        func send(_ text: String, close: Bool) {
            _ = Array(text.utf8).withUnsafeBytes { Glibc.write(write, $0.baseAddress, $0.count) }
            if close { closeWrite() }
        }
        func closeWrite() {
            if write >= 0 { Glibc.close(write) }
            write = -1
        }
        func receive() -> String {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { Glibc.read(read, $0.baseAddress, $0.count) }
            return String(decoding: buffer[..<max(count, 0)], as: UTF8.self)
        }
        deinit {
            Glibc.close(read)
            closeWrite()
        }
    }

    private func makeExchange(_ environment: [String], input: Pipe, output: Pipe) -> FastCGIExchange {
        FastCGIExchange(params: FastCGIExchange.parseParams(environment), transport: CGITransport(input: input.read, output: output.write))
    }

    @Test("params come from the environment: first wins, empty means absent")
    func params() {
        let input = Pipe(), output = Pipe()
        let exchange = makeExchange(["REQUEST_METHOD=POST", "X=1", "X=2", "E=", "EQ=a=b", "BROKEN"], input: input, output: output)
        #expect(exchange.param("REQUEST_METHOD") == "POST")
        #expect(exchange.param("X") == "1")
        #expect(exchange.param("E") == nil)
        #expect(exchange.param("EQ") == "a=b")
        #expect(exchange.params.keys.sorted() == ["EQ", "REQUEST_METHOD", "X"])
    }

    @Test("the body is exactly CONTENT_LENGTH bytes of stdin; the response goes to stdout")
    func bodyAndResponse() throws {
        let input = Pipe(), output = Pipe()
        input.send("helloEXTRA", close: false)  // no EOF: reading past CONTENT_LENGTH would block
        let exchange = makeExchange(["CONTENT_LENGTH=5"], input: input, output: output)
        #expect(try exchange.readBody(limit: 100) == Array("hello".utf8))
        try exchange.write("Status: 200 OK\r\n\r\nok")
        try exchange.flush()
        #expect(output.receive() == "Status: 200 OK\r\n\r\nok")
    }

    @Test("no CONTENT_LENGTH means no body")
    func noBody() throws {
        let input = Pipe(), output = Pipe()
        let exchange = makeExchange([], input: input, output: output)
        #expect(try exchange.readBody(limit: 100) == [])
    }

    @Test("a short body, a body over the limit, and a closed stdout are errors")
    func failures() throws {
        let short = Pipe(), output = Pipe()
        short.send("hel", close: true)
        let shortBody = makeExchange(["CONTENT_LENGTH=5"], input: short, output: output)
        #expect(code { () throws(FastCGIError) in _ = try shortBody.readBody(limit: 100) } == .readFailed)
        let large = makeExchange(["CONTENT_LENGTH=500"], input: Pipe(), output: output)
        #expect(code { () throws(FastCGIError) in _ = try large.readBody(limit: 100) } == .bodyTooLarge)

        try LibFCGI.initialize()  // installs the do-nothing SIGPIPE handler, as serveCGIRequest does
        let gone = Pipe()
        Glibc.close(gone.read)
        let exchange = makeExchange([], input: Pipe(), output: gone)
        #expect(code { () throws(FastCGIError) in try exchange.write("x") } == .clientGone)
        exchange.finish()
        #expect(code { () throws(FastCGIError) in try exchange.flush() } == .requestFinished)
    }

    private func code(_ body: () throws(FastCGIError) -> Void) -> FastCGIError.Code? {
        do throws(FastCGIError) {
            try body()
            return nil
        } catch {
            return error.code
        }
    }
}
