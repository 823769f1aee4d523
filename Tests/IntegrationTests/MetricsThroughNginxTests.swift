import Foundation
import HTTPClient
import JSON
import TestSupport
import Testing

/// `GET /api/ai/assistant/metrics` through nginx: counters summed over the pool's worker processes (a
/// counter file next to the socket), chat counters, counts kept when a worker dies, and nginx refusing
/// clients that are not on this host.
@Suite("Metrics through nginx", .serialized)
struct MetricsThroughNginxTests {
    @Test("requests through nginx are counted once and summed over both workers; chats count model calls, tokens, retries and tools")
    func countsAcrossWorkers() throws {
        let harness = try ChatHarness(workers: 2, threads: 2)
        defer { harness.stop() }
        let before = try Scrape(harness.service)
        #expect(before.contentType?.hasPrefix("text/plain; version=0.0.4") == true, "\(before.contentType ?? "none")")
        #expect(before.value("pgassist_metrics_shared") == 1, "\(harness.logs)")
        #expect(FileManager.default.fileExists(atPath: harness.service.workers.socketPath + ".metrics"))

        // Four slow chats at once: each worker has two threads, so both workers must take some.
        try harness.provider.script((0..<4).map { _ in
            .object(["text": .string("hello"), "delayMs": .number(700), "usage": .object(["input": .number(100), "output": .number(10)])])
        })
        let service = harness.service, database = harness.databaseURL
        let parallel = try concurrently(4) { index in
            let body = JSONValue.object(["message": .string("hi"), "userId": .string("user\(index)"),
                                         "projectRef": .string("proj_1"), "connectionString": .string(database)])
            return try service.request("POST", "/api/ai/assistant/chat", body: body.serialized())
        }
        #expect(parallel.allSatisfy { $0.status == 200 }, "\(parallel.map(\.text))\n\(harness.logs)")
        for _ in 0..<20 {
            #expect(try harness.service.request("GET", "/api/ai/assistant/health").status == 200)
        }
        #expect(try harness.service.request("GET", "/api/ai/assistant/nowhere").status == 404)

        // A tool that succeeds, one the guard refuses, a retried provider failure, and a run left waiting for approval.
        try harness.provider.script([
            toolStep([("list_tables", #"{"schema":"public"}"#)]), textStep("two tables"),
            toolStep([("run_sql", #"{"query":"delete from customer"}"#)]), textStep("not allowed"),
            .object(["error": .object(["status": .number(500), "headers": .object(["retry-after-ms": .string("10")])])]),
            textStep("after a retry"),
            toolStep([("drop_table", #"{"table":"invoice"}"#)]),
        ])
        var sequential: [HTTPClientResponse] = []
        for message in ["list", "delete", "retry", "drop"] { sequential.append(try harness.say(message)) }
        #expect(sequential.map(\.status) == [200, 200, 200, 200], "\(sequential.map(\.text))\n\(harness.logs)")
        #expect(sequential.last?.json["status"] as? String == "requires_action")
        let tokens = (parallel + sequential).reduce((0.0, 0.0)) { sum, response in
            let usage = response.json["usage"] as? [String: Any] ?? [:]
            return (sum.0 + (usage["inputTokens"] as? Double ?? 0), sum.1 + (usage["outputTokens"] as? Double ?? 0))
        }

        let after = try Scrape(harness.service)
        func delta(_ name: String, _ labels: [String: String] = [:]) -> Double {
            after.sum(name, labels) - before.sum(name, labels)
        }
        #expect(delta("pgassist_http_requests_total", ["endpoint": "chat", "method": "POST", "status": "200"]) == 8)
        #expect(delta("pgassist_http_requests_total", ["endpoint": "health", "status": "200"]) == 20)
        #expect(delta("pgassist_http_requests_total", ["endpoint": "other", "status": "404"]) == 1)
        #expect(delta("pgassist_http_requests_total", ["endpoint": "metrics"]) == 1, "the first scrape, not this one")
        // 4 + 2 + 2 + 1 (its retry is inside the call) + 1 answered model calls.
        #expect(delta("pgassist_model_calls_total", ["outcome": "ok"]) == 10)
        #expect(delta("pgassist_model_retries_total", ["reason": "provider_error"]) == 1)
        #expect(delta("pgassist_model_tokens_total", ["type": "input"]) == tokens.0)
        #expect(delta("pgassist_model_tokens_total", ["type": "output"]) == tokens.1)
        #expect(tokens.0 >= 400)
        #expect(delta("pgassist_tool_calls_total", ["tool": "list_tables", "outcome": "success"]) == 1)
        #expect(delta("pgassist_tool_calls_total", ["tool": "run_sql", "outcome": "failure"]) == 1)
        #expect(delta("pgassist_tool_calls_total", ["tool": "drop_table"]) == 0, "a call waiting for approval has no outcome yet")
        #expect(after.value("pgassist_active_runs", ["status": "requires_action"]) == 1)
        #expect(after.value("pgassist_active_runs", ["status": "in_progress"]) == 0)
        #expect(after.value("pgassist_store_up") == 1)

        // The chat histogram: cumulative buckets ending in +Inf, which equals the count.
        let chat = ["endpoint": "chat", "method": "POST"]
        let buckets = after.samples.filter { $0.name == "pgassist_http_request_duration_seconds_bucket" && $0.matches(chat) }
        #expect(buckets.count == 16)
        #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0.value <= $1.value })
        #expect(buckets.last?.labels["le"] == "+Inf")
        #expect(buckets.last?.value == after.value("pgassist_http_request_duration_seconds_count", chat))
        #expect(after.value("pgassist_http_request_duration_seconds_count", chat) == 8)
        // The slow chats took 0.7 s each at least.
        #expect(after.value("pgassist_http_request_duration_seconds_sum", chat) >= 2.8)
        #expect(after.value("pgassist_http_request_duration_seconds_bucket", chat.merging(["le": "0.5"]) { $1 }) <= 4)

        // Both workers answered, and together they answered every request counted.
        let pids = Set(harness.service.workers.workerPIDs().map(String.init))
        let served = after.samples.filter { $0.name == "pgassist_worker_requests_served_total" }
        #expect(Set(served.compactMap { $0.labels["pid"] }) == pids, "\(served)")
        #expect(served.allSatisfy { $0.value > 0 }, "\(served)")
        #expect(served.reduce(0) { $0 + $1.value } == after.sum("pgassist_http_requests_total", [:]))
        #expect(after.value("pgassist_worker_processes") == 2)
        let uptimes = after.samples.filter { $0.name == "pgassist_worker_uptime_seconds" }
        #expect(uptimes.count == 2 && uptimes.allSatisfy { $0.value >= 0 && $0.value < 600 })
    }

    @Test("a request refused before its body was read (over PGASSIST_MAX_BODY_BYTES) is counted with its 413")
    func refusedBodyCounted() throws {
        let service = try Service(workers: 1, threads: 2, environment: ["PGASSIST_MAX_BODY_BYTES": "200"])
        defer { service.stop() }
        let body = #"{"message": "\#(String(repeating: "x", count: 400))", "userId": "u", "projectRef": "p"}"#
        let refused = try service.request("POST", "/api/ai/assistant/chat", body: body)
        #expect(refused.status == 413, "\(refused.text)")
        #expect(refused.text.contains("payload_too_large"), "\(refused.text)")
        let scrape = try Scrape(service)
        #expect(scrape.sum("pgassist_http_requests_total", ["endpoint": "chat", "status": "413"]) == 1, "\(service.logs)")
    }

    @Test("a worker that dies keeps its counts: they move to the retired slot and the totals do not go back")
    func deadWorkerKeepsCounts() throws {
        let service = try Service(workers: 2, threads: 2)
        defer { service.stop() }
        _ = try concurrently(4) { _ in
            for _ in 0..<10 { _ = try service.request("GET", "/api/ai/assistant/health") }
        }
        let before = try Scrape(service)
        let health = ["endpoint": "health", "status": "200"]
        #expect(before.sum("pgassist_http_requests_total", health) >= 40)

        let workers = service.workers.workerPIDs()
        let victim = try #require(workers.first)
        kill(victim, SIGKILL)
        let replaced = eventually(within: 10) {
            let now = service.workers.workerPIDs()
            return now.count == 2 && !now.contains(victim)
        }
        #expect(replaced, "multiwatch did not replace the killed worker\n\(service.logs)")
        let after = try Scrape(service)
        #expect(after.sum("pgassist_http_requests_total", health) == before.sum("pgassist_http_requests_total", health))
        #expect(after.sum("pgassist_http_requests_total", [:]) == before.sum("pgassist_http_requests_total", [:]) + 1)
        let pids = after.samples.filter { $0.name == "pgassist_worker_uptime_seconds" }.compactMap { $0.labels["pid"] }
        #expect(!pids.contains(String(victim)), "\(pids)")
        // The replacement claims its slot when it starts serving (its request threads start at once).
        #expect(eventually(within: 5) { (try? Scrape(service).value("pgassist_worker_processes")) == 2 })
    }

    @Test("nginx serves metrics to this host only, without credentials: another address gets the JSON 403, health stays open")
    func internalOnly() throws {
        let auth = try AuthStandIn(users: ["tok-alice": "alice"])
        defer { auth.stop() }
        let service = try Service(workers: 1, threads: 2, environment: ["REQUIRE_AUTH_USER": "1"], authURL: auth.baseURL)
        defer { service.stop() }
        let port = service.nginx.port
        let local = try LocalHTTP.get("/api/ai/assistant/metrics", port: port, from: "127.0.0.1")
        #expect(local.status == 200, "\(local.body)")
        #expect(local.header("content-type")?.hasPrefix("text/plain") == true)
        #expect(try service.request("GET", "/api/ai/assistant/thread").status == 401, "the rest still needs credentials")
        // 127.0.0.2 is loopback on Linux, but not an address the metrics location allows.
        let outside = try LocalHTTP.get("/api/ai/assistant/metrics", port: port, from: "127.0.0.2")
        #expect(outside.status == 403, "\(outside.body)")
        #expect(outside.header("content-type")?.hasPrefix("application/json") == true)
        let error = try JSONValue.parse(outside.body)
        #expect(error["code"] == .string("forbidden"))
        #expect(error["error"]?.stringValue?.isEmpty == false)
        #expect(error.objectValue?.count == 2)
        #expect(outside.header("x-content-type-options") == "nosniff")
        let health = try LocalHTTP.get("/api/ai/assistant/health", port: port, from: "127.0.0.2")
        #expect(health.status == 200, "\(health.body)")
        // The location's own error pages still answer in JSON (a POST body over the limit: nginx's 413).
        let tooLarge = try service.request("POST", "/api/ai/assistant/metrics", body: String(repeating: "x", count: 1_100_000))
        #expect(tooLarge.status == 413)
        #expect(tooLarge.isJSONError, "\(tooLarge.text)")
    }

    @Test("every spelling of /metrics is restricted: another address gets the JSON 403, this host a JSON 404 for all but the exact path")
    func variantsRestricted() throws {
        let service = try Service(workers: 1, threads: 2)
        defer { service.stop() }
        let port = service.nginx.port
        let exact = try LocalHTTP.get("/api/ai/assistant/metrics", port: port, from: "127.0.0.1")
        #expect(exact.status == 200, "\(exact.body)")
        #expect(exact.body.contains("pgassist_http_requests_total"))
        // What the review sent: nginx decodes %2F, merges slashes and resolves dot segments before it picks
        // a location, so each of these arrives as /api/ai/assistant/metrics/ or close to it.
        let variants = ["/api/ai/assistant/metrics/", "/api/ai/assistant/metrics//", "/api/ai/assistant/metrics%2F",
                        "/api/ai/assistant/metrics/.", "/api/ai/assistant/health/../metrics/", "/api/ai/assistant/metrics/./",
                        "/api/ai/assistant//metrics/", "/api/ai/assistant/%6detrics/", "/api/ai/assistant/metrics%2F%2E",
                        "/api/ai/assistant/metrics?x=1/", "/api/ai/assistant/thread/../metrics/"]
        for path in variants {
            let outside = try LocalHTTP.get(path, port: port, from: "127.0.0.2")
            #expect(outside.status == 403, "\(path): \(outside.status) \(outside.body)")
            #expect(!outside.body.contains("pgassist_"), "\(path) answered metrics: \(outside.body)")
            #expect(outside.header("content-type")?.hasPrefix("application/json") == true, "\(path)")
            #expect(try JSONValue.parse(outside.body)["code"] == .string("forbidden"), "\(path): \(outside.body)")
        }
        // From this host, nginx lets them through and the app refuses every spelling but the exact one.
        for path in variants where !path.contains("?") {
            let local = try LocalHTTP.get(path, port: port, from: "127.0.0.1")
            #expect(local.status == 404, "\(path): \(local.status) \(local.body)")
            #expect(!local.body.contains("pgassist_"), "\(path) answered metrics: \(local.body)")
            let error = try JSONValue.parse(local.body)
            #expect(error["code"] == .string("not_found"), "\(path): \(local.body)")
            #expect(error.objectValue?.count == 2)
        }
        let canonical = try LocalHTTP.get("/api/ai/assistant/metrics?x=1/", port: port, from: "127.0.0.1")
        #expect(canonical.status == 200, "a query string is not part of the path")
    }
}

/// One scrape of `/metrics`, parsed: every sample with its labels.
private struct Scrape {
    struct Sample: CustomStringConvertible {
        let name: String
        let labels: [String: String]
        let value: Double

        func matches(_ wanted: [String: String]) -> Bool {
            wanted.allSatisfy { labels[$0.key] == $0.value }
        }

        var description: String { "\(name)\(labels) \(value)" }
    }

    let samples: [Sample]
    let contentType: String?

    init(_ service: Service) throws {
        let response = try service.request("GET", "/api/ai/assistant/metrics")
        guard response.status == 200 else { throw TestSupportError("GET /metrics answered \(response.status): \(response.text)") }
        contentType = response.header("content-type")
        samples = try response.text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(Self.parse)
    }

    /// The value of the one sample with exactly these labels (0 when absent).
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.first { $0.name == name && $0.labels == labels }?.value ?? 0
    }

    /// The sum of the samples of `name` whose labels include `labels`.
    func sum(_ name: String, _ labels: [String: String]) -> Double {
        samples.filter { $0.name == name && $0.matches(labels) }.reduce(0) { $0 + $1.value }
    }

    /// `name{a="x",b="y"} value` (values in these tests hold no commas, quotes or braces).
    private static func parse(_ line: Substring) throws -> Sample {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
            throw TestSupportError("not a sample line: \(line)")
        }
        let head = line[..<space]
        guard let brace = head.firstIndex(of: "{") else { return Sample(name: String(head), labels: [:], value: value) }
        var labels: [String: String] = [:]
        for pair in head[head.index(after: brace)..<head.index(before: head.endIndex)].split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw TestSupportError("bad label in \(line)") }
            labels[String(parts[0])] = String(parts[1].dropFirst().dropLast())
        }
        return Sample(name: String(head[..<brace]), labels: labels, value: value)
    }
}

/// HTTP/1.0 GETs to nginx on 127.0.0.1 from a chosen local address, to look like another client.
private enum LocalHTTP {
    struct Answer {
        let status: Int
        let headers: [(String, String)]
        let body: String

        func header(_ name: String) -> String? {
            headers.last { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    static func get(_ path: String, port: Int, from source: String) throws -> Answer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket failed: errno \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = inet_addr(source)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw TestSupportError("bind to \(source) failed: errno \(errno)") }
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = in_port_t(UInt16(port).bigEndian)
        remote.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestSupportError("connect failed: errno \(errno)") }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: localhost\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else {
            throw TestSupportError("send failed: errno \(errno)")
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            received += buffer[..<count]
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw TestSupportError("no HTTP answer: \(text)") }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        let headers = lines.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        return Answer(status: status, headers: headers, body: String(text[split.upperBound...]))
    }
}
