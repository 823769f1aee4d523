import Foundation
import HTTPClient
import SQLite
import TestSupport
import Testing

/// A few thousand malformed and invalid requests through nginx to real workers, generated from a printed
/// seed (`HOSTILE_SEED=N` replays a run, `HOSTILE_COUNT=N` changes its size): every answer must be a JSON
/// error with a 4xx status (exceptions are `HostileExpectation`'s cases, each with its reason), arrive in
/// time, reach no model and leave the workers and the stored data exactly as they were.
@Suite("Hostile input through nginx", .serialized)
struct HostileInputTests {
    /// Users given a thread before the fuzzing; the `fz-chat-` ones also a stored conversation.
    static let users = ["fz-user-0", "fz-user-1", "fz-user-2", "fz-ünïcødé", "fz user+1@example.com", "fz-chat-0", "fz-chat-1"]

    /// The workers' settings: a model provider that has nothing scripted (so any model call would fail
    /// loudly and be counted), no retries, a body cap below nginx's so both answer a 413, and request
    /// connection strings allowed so the host policy is the one refusing them.
    static func environment(_ provider: FakeModelProvider) -> [String: String] {
        ["OPENAI_BASE_URL": provider.baseURL, "OPENAI_API_KEY": provider.apiKey, "OPENAI_MODEL": "gpt-test",
         "OPENAI_MAX_RETRIES": "0", "PGASSIST_MAX_BODY_BYTES": "262144", "ALLOW_REQUEST_CONNECTION_STRING": "1",
         "LOG_LEVEL": "info"]
    }

    /// Longest acceptable answer, in seconds. nginx refuses a body declared over 1 MiB only after waiting
    /// 5 s for it, then lingers up to 5 s more before closing; everything else answers in milliseconds.
    static let slowestAcceptable = 15.0

    @Test("thousands of hostile requests get JSON 4xx answers in time, reach no model, crash no worker and change no data")
    func hostileRequests() throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["HOSTILE_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64.max)
        let count = environment["HOSTILE_COUNT"].flatMap { Int($0) } ?? 3_000
        print("HostileInputTests: seed \(seed), \(count) requests (replay with HOSTILE_SEED=\(seed))")

        let provider = try FakeModelProvider()
        defer { provider.stop() }
        let service = try Service(store: .sqlite, workers: 2, threads: 2, environment: Self.environment(provider))
        defer { service.stop() }

        let targets = try storeKnownData(service, provider)
        let modelCalls = try provider.requests().count
        let before = try StoredState(service, users: Self.users)
        let workers = service.workers.workerPIDs()
        let workerLogStart = service.workers.log.utf8.count
        let nginxLogStart = service.nginx.errorLog.utf8.count
        print("HostileInputTests: stored \(before.summary)")

        let requests = HostileRequestGenerator.generate(seed: seed, count: count, targets: targets)
        let threadIds = Set(targets.threads.values)
        let client = RawHTTPClient(port: service.nginx.port)
        let started = ContinuousClock.now
        let outcomes = try concurrently(8) { lane in
            stride(from: lane, to: requests.count, by: 8).map { index in
                let request = requests[index]
                do {
                    let answer = try client.exchange(request.bytes, halfClose: request.halfClose, timeoutMilliseconds: 20_000)
                    return HostileOutcome(request: request, answer: answer,
                                          problems: Self.problems(request, answer, threadIds: threadIds))
                } catch {
                    return HostileOutcome(request: request, answer: nil, problems: ["the exchange failed: \(error)"])
                }
            }
        }.flatMap { $0 }.sorted { $0.request.index < $1.request.index }
        let elapsed = started.duration(to: .now)
        print("HostileInputTests: \(outcomes.count) requests in \(elapsed) (seed \(seed))\n\(Self.report(outcomes))")

        let failures = outcomes.filter { !$0.problems.isEmpty }
        // Each failing request as a file, to replay by hand: nc 127.0.0.1 PORT < FILE
        let saved = failures.prefix(30).compactMap { outcome -> String? in
            let path = NSTemporaryDirectory() + "hostile-\(seed)-\(outcome.request.index).http"
            return FileManager.default.createFile(atPath: path, contents: Data(outcome.request.bytes)) ? path : nil
        }
        #expect(failures.isEmpty, """
            \(failures.count) of \(outcomes.count) answers were wrong (seed \(seed); requests saved as \(saved.first ?? "-") and so on):
            \(failures.prefix(30).map(\.description).joined(separator: "\n"))
            """)
        #expect(try provider.requests().count == modelCalls, "hostile requests reached the model provider (seed \(seed))")

        #expect(service.workers.workerPIDs() == workers, "workers before \(workers), after \(service.workers.workerPIDs())")
        let workerLog = String(decoding: Array(service.workers.log.utf8).dropFirst(workerLogStart), as: UTF8.self)
        let crashes = workerLog.split(separator: "\n").filter(Self.isCrashLine)
        #expect(crashes.isEmpty, "the workers logged:\n\(crashes.prefix(20).joined(separator: "\n"))")
        let nginxLog = String(decoding: Array(service.nginx.errorLog.utf8).dropFirst(nginxLogStart), as: UTF8.self)
        let upstreamTrouble = nginxLog.split(separator: "\n").filter(Self.isUpstreamTrouble)
        #expect(upstreamTrouble.isEmpty, "nginx logged:\n\(upstreamTrouble.prefix(20).joined(separator: "\n"))")

        let after = try StoredState(service, users: Self.users)
        #expect(after.threadPages == before.threadPages, "GET /thread?messages=1 answers changed (seed \(seed))")
        let changed = before.changedTables(comparedWith: after)
        #expect(changed.isEmpty, "the store changed (seed \(seed)): \(changed.joined(separator: "; ")); before \(before.summary), after \(after.summary)")
        #expect(try service.request("GET", "/api/ai/assistant/health").status == 200)
    }

    /// Inputs this suite found accepted (or answered outside the JSON shape, or crashing a worker) when it was
    /// written, each refused since: kept as regression tests.
    @Test("findings stay fixed: [×513, deep nesting, lenient JSON, unchecked query values, nginx's HTML 301/505/413")
    func knownFindings() throws {
        let provider = try FakeModelProvider()
        defer { provider.stop() }
        let service = try Service(store: .sqlite, workers: 1, threads: 2, environment: Self.environment(provider))
        defer { service.stop() }
        let client = RawHTTPClient(port: service.nginx.port)

        // %FF%FE and %FE%FF (and raw 0xFF 0xFE bytes) all become "\u{FFFD}\u{FFFD}": one user for many ids.
        let invalidUser = try service.request("GET", "/api/ai/assistant/thread?userId=%FF%FE")
        let otherInvalidUser = try service.request("GET", "/api/ai/assistant/thread?userId=%FE%FF")
        #expect(invalidUser.status == 400, "\(invalidUser.status) \(invalidUser.text)")
        #expect(otherInvalidUser.status == 400, "\(otherInvalidUser.status) \(otherInvalidUser.text)")

        let utf16: [UInt8] = #"{"name":"sent as UTF-16"}"#.utf16.flatMap { unit -> [UInt8] in
            [UInt8(truncatingIfNeeded: unit), UInt8(truncatingIfNeeded: unit >> 8)]
        }
        let utf32: [UInt8] = #"{"name":"sent as UTF-32"}"#.unicodeScalars.flatMap { scalar -> [UInt8] in
            [UInt8(truncatingIfNeeded: scalar.value), 0, 0, 0]
        }
        let bodies: [[UInt8]] = [[0xFF, 0xFE] + utf16, utf16, utf32]
        let otherEncodings = try bodies.map { body in
            try HTTPClient().send(HTTPClientRequest(method: "POST", url: service.baseURL + "/api/ai/assistant/setup",
                                                    headers: [(name: "Content-Type", value: "application/json")], body: body))
        }
        for response in otherEncodings {
            #expect(response.errorCode == "invalid_json", "\(response.status) \(response.text.prefix(120))")
        }

        let trailingCommas = try [#"{"userId":"u",}"#, #"{"userId":["u",]}"#].map {
            try service.request("POST", "/api/ai/assistant/chat", body: $0)
        }
        for response in trailingCommas {
            #expect(response.errorCode == "invalid_json", "\(response.status) \(response.text)")
        }

        let projectRefs = try ["a%00b%1B", "%FF", String(repeating: "p", count: 300)].enumerated().map { index, projectRef in
            try service.request("GET", "/api/ai/assistant/thread?userId=fz-known-\(index)&projectRef=\(projectRef)")
        }
        for response in projectRefs {
            #expect(response.status == 400, "\(response.status) \(response.text.prefix(200))")
        }

        let http2 = try client.exchange(Array("GET /api/ai/assistant/health HTTP/2.0\r\nHost: x\r\nConnection: close\r\n\r\n".utf8),
                                        halfClose: false, timeoutMilliseconds: 10_000).response
        #expect(http2?.header("Content-Type")?.hasPrefix("application/json") == true,
                "\(http2?.status ?? 0) \(String(decoding: http2?.body ?? [], as: UTF8.self).prefix(120))")

        let noSlash = try client.exchange(Array("GET /api/ai/assistant HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8),
                                          halfClose: false, timeoutMilliseconds: 10_000).response
        #expect(noSlash?.status == 404 && noSlash?.header("Content-Type")?.hasPrefix("application/json") == true,
                "\(noSlash?.status ?? 0) \(noSlash?.header("Content-Type") ?? "")")

        let declared = Array("""
            POST /api/ai/assistant/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\
            Connection: close\r\n\r\n
            """.utf8)
        let tooLarge = try client.exchange(declared, halfClose: true, timeoutMilliseconds: 15_000).response
        #expect(tooLarge?.status == 413 && tooLarge?.header("Content-Type")?.hasPrefix("application/json") == true,
                "\(tooLarge?.status ?? 0) \(String(decoding: tooLarge?.body ?? [], as: UTF8.self).prefix(120))")

        // 2.6 KB of nesting within JSONDecoder's own depth limit of 512 cost seconds of worker CPU: refused now.
        let deep = "{\"userId\":" + String(repeating: "{\"a\":", count: 511) + "1" + String(repeating: "}", count: 511) + "}"
        let deepStarted = ContinuousClock.now
        let deepAnswer = try service.request("POST", "/api/ai/assistant/chat", body: deep)
        let deepTook = deepStarted.duration(to: .now)
        #expect(deepAnswer.status == 400, "\(deepAnswer.status) after \(deepTook)")
        #expect(deepAnswer.errorCode == "invalid_json")

        // Last: it kills the (only) worker, which multiwatch replaces.
        let workers = service.workers.workerPIDs()
        let crash = try client.exchange(Array("""
            POST /api/ai/assistant/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 513\r\n\
            Connection: close\r\n\r\n
            """.utf8) + [UInt8](repeating: UInt8(ascii: "["), count: 513), halfClose: false, timeoutMilliseconds: 20_000).response
        let workersAfter = service.workers.workerPIDs()
        #expect(crash?.status == 400, "\(crash?.status ?? 0) \(String(decoding: crash?.body ?? [], as: UTF8.self).prefix(120))")
        #expect(workersAfter == workers, "workers before \(workers), after \(workersAfter)")
    }

    // MARK: Known data

    /// Creates a thread for every user, a completed conversation for the `fz-chat-` users (one scripted model
    /// answer each) and the assistant definition; returns what the generator aims at.
    private func storeKnownData(_ service: Service, _ provider: FakeModelProvider) throws -> HostileTargets {
        var threads: [String: String] = [:]
        for user in Self.users {
            let response = try service.request("GET", "/api/ai/assistant/thread?userId=\(HostileRequestGenerator.encoded(user))&projectRef=proj_fz")
            guard response.status == 200, let id = response.json["threadId"] as? String else {
                throw TestSupportError("GET /thread for \(user) answered \(response.status) \(response.text)\n\(service.logs)")
            }
            threads[user] = id
        }
        for (index, user) in Self.users.filter({ $0.hasPrefix("fz-chat-") }).enumerated() {
            try provider.script([textStep("Stored answer \(index).")])
            let body = #"{"userId":"\#(user)","projectRef":"proj_fz","message":"Remember me \#(index)."}"#
            let response = try service.request("POST", "/api/ai/assistant/chat", body: body)
            guard response.status == 200, response.json["status"] as? String == "completed" else {
                throw TestSupportError("the stored chat for \(user) answered \(response.status) \(response.text)\n\(service.logs)")
            }
        }
        let setup = try service.request("POST", "/api/ai/assistant/setup", body: #"{"name":"Fuzz target","instructions":"Be brief."}"#)
        guard setup.status == 201 else { throw TestSupportError("POST /setup answered \(setup.status) \(setup.text)") }
        return HostileTargets(users: Self.users, threads: threads)
    }

    // MARK: Judging answers

    /// What is wrong with `answer` to `request`, if anything.
    static func problems(_ request: HostileRequest, _ answer: RawHTTPAnswer, threadIds: Set<String>) -> [String] {
        if answer.timedOut { return ["no complete answer within 20 s (\(answer.bytes.count) bytes so far): a hang"] }
        var problems: [String] = []
        if answer.seconds > slowestAcceptable { problems.append(String(format: "answered after %.1f s", answer.seconds)) }
        guard let response = answer.response else {
            switch request.expectation {
            case .refusalOrNoAnswer, .garbage: return problems
            default: return problems + ["no answer: the connection was closed"]
            }
        }
        switch request.expectation {
        case .refusal, .refusalOrNoAnswer:
            problems += refusalProblems(response)
        case .refusalOrNotImplemented:
            problems += refusalProblems(response, alsoAllowed: [501])
        case .garbage:
            problems += response.status == nil ? errorShapeProblems(response.body) : refusalProblems(response)
        case .bodyOnlyRefusal:
            if let status = response.status { problems.append("expected an HTTP/0.9 answer (the body alone), got status \(status)") }
            problems += errorShapeProblems(response.body)
        case .headRefusal:
            problems += statusAndTypeProblems(response)
            if !response.body.isEmpty { problems.append("a HEAD answer has a body of \(response.body.count) bytes") }
        case .storedThreadRead:
            let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
            if response.status != 200 || !threadIds.contains(object?["threadId"] as? String ?? "") {
                problems.append("expected the stored thread (200), got \(response.status.map(String.init) ?? "no status")")
            }
        }
        return problems
    }

    /// A 4xx (or one of `alsoAllowed`) with a JSON Content-Type and the error shape.
    static func refusalProblems(_ response: RawHTTPResponse, alsoAllowed: Set<Int> = []) -> [String] {
        statusAndTypeProblems(response, alsoAllowed: alsoAllowed) + errorShapeProblems(response.body)
    }

    static func statusAndTypeProblems(_ response: RawHTTPResponse, alsoAllowed: Set<Int> = []) -> [String] {
        var problems: [String] = []
        if let status = response.status {
            if !(400..<500).contains(status) && !alsoAllowed.contains(status) { problems.append("status \(status)") }
        } else {
            problems.append("no status line")
        }
        let type = response.header("Content-Type") ?? "none"
        if !type.lowercased().hasPrefix("application/json") { problems.append("Content-Type \(type)") }
        return problems
    }

    /// The body must be exactly `{"error": <non-empty string>, "code": <non-empty string>}`.
    static func errorShapeProblems(_ body: [UInt8]) -> [String] {
        let text = String(decoding: body.prefix(200), as: UTF8.self)
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            return ["the body is not a JSON object: \(text)"]
        }
        var problems: [String] = []
        if Set(object.keys) != ["error", "code"] { problems.append("body keys \(object.keys.sorted())") }
        for key in ["error", "code"] where (object[key] as? String)?.isEmpty != false {
            problems.append("\"\(key)\" is not a non-empty string: \(text)")
        }
        return problems
    }

    /// A worker log line that means a crash, a fatal error or an unexpected error (500).
    /// The workers' own lines are JSON: judged by their level, since their fields hold what clients sent.
    static func isCrashLine(_ line: Substring) -> Bool {
        if let logged = LogLine.parse(String(line)).first {
            return logged.string("level") == "error" || logged.string("level") == "critical"
        }
        let lower = line.lowercased()
        return ["fatal", "crash", "panic", "segmentation", "illegal instruction", "abort", "signal", "died", "not forking",
                "stack overflow", "backtrace", "unexpected error"].contains { lower.contains($0) }
    }

    /// An nginx error log line about the workers (unreachable, closed early, bad answers) or nginx itself.
    static func isUpstreamTrouble(_ line: Substring) -> Bool {
        ["upstream", "[alert]", "[crit]", "[emerg]", "exited on signal"].contains { line.contains($0) }
    }

    /// Requests per family, then the answers' statuses and codes, and the slowest exchanges.
    static func report(_ outcomes: [HostileOutcome]) -> String {
        var families: [String: [String: Int]] = [:]
        for outcome in outcomes {
            let family = String(outcome.request.family.split(separator: ".").first ?? "")
            families[family, default: [:]][outcome.verdict, default: 0] += 1
        }
        var lines = families.keys.sorted().map { family in
            let verdicts = families[family]!.sorted { $0.value > $1.value }.map { "\($0.key) ×\($0.value)" }
            return "  \(family) (\(families[family]!.values.reduce(0, +))): \(verdicts.joined(separator: ", "))"
        }
        let slowest = outcomes.sorted { ($0.answer?.seconds ?? 0) > ($1.answer?.seconds ?? 0) }.prefix(3)
        lines.append("  slowest: " + slowest.map { String(format: "#%d %@ %.2f s", $0.request.index, $0.request.family, $0.answer?.seconds ?? 0) }
            .joined(separator: ", "))
        return lines.joined(separator: "\n")
    }
}

/// One request and what came back.
struct HostileOutcome: Sendable, CustomStringConvertible {
    let request: HostileRequest
    let answer: RawHTTPAnswer?
    let problems: [String]

    /// `400 invalid_json`, `no answer`, `HTTP/0.9 not_found`: for the summary.
    var verdict: String {
        guard let response = answer?.response else { return "no answer" }
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        let code = object?["code"] as? String ?? (object?["threadId"] != nil ? "thread" : "?")
        return "\(response.status.map(String.init) ?? "HTTP/0.9") \(code)"
    }

    var description: String {
        let body = answer?.response.map { String(decoding: $0.body.prefix(160), as: UTF8.self) } ?? ""
        return "#\(request.index) \(request.family) [\(request.expectation.rawValue)] → \(verdict): \(problems.joined(separator: "; "))\n"
            + "    sent: \(request.preview)\n    body: \(body)"
    }
}

/// What the users' threads and the store hold: compared before and after the fuzzing.
struct StoredState {
    /// Each user's `GET /thread?messages=1&limit=200` body.
    let threadPages: [String: String]
    /// Every table's rows, sorted.
    let tables: [String: [[SQLiteValue]]]

    init(_ service: Service, users: [String]) throws {
        var pages: [String: String] = [:]
        for user in users {
            let response = try service.request("GET", "/api/ai/assistant/thread?userId=\(HostileRequestGenerator.encoded(user))&messages=1&limit=200")
            guard response.status == 200 else { throw TestSupportError("GET /thread for \(user) answered \(response.status)") }
            pages[user] = response.text
        }
        threadPages = pages
        guard let path = service.sqlitePath else { throw TestSupportError("the service has no SQLite store") }
        let database = try SQLiteConnection(path: path)
        let names = try database.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .compactMap { $0.string(0) }
        var tables: [String: [[SQLiteValue]]] = [:]
        for name in names {
            tables[name] = try database.query("SELECT * FROM \"\(name)\"").map(\.values).sorted { "\($0)" < "\($1)" }
        }
        self.tables = tables
    }

    /// Row counts of the tables that matter most, e.g. `threads 7, messages 4, runs 2`.
    var summary: String {
        ["threads", "messages", "runs", "assistants"].map { "\($0) \(tables[$0]?.count ?? 0)" }.joined(separator: ", ")
    }

    /// The tables whose rows differ, with their row counts before and after.
    func changedTables(comparedWith other: StoredState) -> [String] {
        Set(tables.keys).union(other.tables.keys).sorted().compactMap { name in
            tables[name] == other.tables[name] ? nil : "\(name) (\(tables[name]?.count ?? 0) → \(other.tables[name]?.count ?? 0) rows)"
        }
    }
}
