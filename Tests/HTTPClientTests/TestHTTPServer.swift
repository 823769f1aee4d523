import Foundation
import TestSupport

/// A small HTTP/1.1 server (Python's standard library) on a free port, with routes for the tests:
///
/// - any path: echoes method, path, headers, body and the client's port as JSON, with `X-Multi: a`
///   and `X-Multi: b`, and the status from the request's `X-Status` header;
/// - `/stall`: sends nothing for 3 s;
/// - `/stall-body`: sends the head and 1 byte of the body, then nothing for 5 s;
/// - `/stream`: sends a chunk `first`, then waits (up to 10 s) for the file `marker` in its folder and
///   sends `second-after-marker` (or `second-without-marker` when it never appeared);
/// - `/endless`: sends 1 KiB chunks for up to 10 s.
final class TestHTTPServer {
    let directory: TemporaryDirectory
    let port: Int
    private let process: Process

    /// The marker file `/stream` waits for.
    var markerPath: String { directory.file("marker") }
    /// `http://127.0.0.1:port`.
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init() throws {
        directory = try TemporaryDirectory(prefix: "httpclient")
        port = try freeTCPPort()
        let script = directory.file("server.py")
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        process = try Command.start(["python3", script, String(port), directory.path], logPath: directory.file("server.log"))
        for _ in 0..<500 {
            if Self.accepts(port: port) { return }
            usleep(10_000)
        }
        kill(process.processIdentifier, SIGKILL)
        throw TestSupportError("the test HTTP server did not start: \((try? String(contentsOfFile: directory.file("server.log"), encoding: .utf8)) ?? "")")
    }

    deinit {
        // SIGKILL, not terminate(): a child started from a Dispatch thread inherits a mask that blocks SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    private static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    private static let script = #"""
import http.server, json, os, sys, time

PORT = int(sys.argv[1])
FOLDER = sys.argv[2]

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def start_chunked(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()

    def route(self):
        body = self.read_body()
        if self.path == "/stall":
            time.sleep(3)
        elif self.path == "/stall-body":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"x")
            self.wfile.flush()
            time.sleep(5)
            self.close_connection = True
            return
        elif self.path == "/stream":
            self.start_chunked()
            self.chunk(b"first\n")
            marker = os.path.join(FOLDER, "marker")
            deadline = time.time() + 10
            while not os.path.exists(marker) and time.time() < deadline:
                time.sleep(0.01)
            self.chunk(b"second-after-marker\n" if os.path.exists(marker) else b"second-without-marker\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        elif self.path == "/endless":
            self.start_chunked()
            deadline = time.time() + 10
            try:
                while time.time() < deadline:
                    self.chunk(b"y" * 1024)
                    time.sleep(0.01)
            except OSError:
                pass
            self.close_connection = True
            return
        payload = json.dumps({
            "method": self.command, "path": self.path,
            "headers": [[name, value] for name, value in self.headers.items()],
            "body": body.decode("latin-1"), "port": self.client_address[1],
        }).encode()
        self.send_response(int(self.headers.get("X-Status") or 200))
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Multi", "a")
        self.send_header("x-multi", "b")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = route

server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
server.daemon_threads = True
server.serve_forever()
"""#
}
