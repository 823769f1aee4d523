import FastCGI
import Testing

@Suite("Listen address parsing")
struct ListenAddressTests {
    @Test("paths become unix sockets, :port is local TCP, host:port is TCP on that host")
    func parsing() {
        #expect(ListenAddress(parsing: "/run/pgassist.sock") == .unixSocket("/run/pgassist.sock"))
        #expect(ListenAddress(parsing: "./rel.sock") == .unixSocket("./rel.sock"))
        #expect(ListenAddress(parsing: ":9000") == .tcp(host: "127.0.0.1", port: 9000))
        #expect(ListenAddress(parsing: "0.0.0.0:9000") == .tcp(host: "0.0.0.0", port: 9000))
        #expect(ListenAddress(parsing: "localhost:80") == .tcp(host: "localhost", port: 80))
        #expect(ListenAddress(parsing: "[::1]:9000") == .tcp(host: "::1", port: 9000))
        #expect(ListenAddress(parsing: "inherited") == .inherited)
    }

    @Test("anything else is refused")
    func refused() {
        for text in ["", "pgassist.sock", "host", ":0", ":65536", "host:port", ":-1"] {
            #expect(ListenAddress(parsing: text) == nil, "\(text)")
        }
    }
}
