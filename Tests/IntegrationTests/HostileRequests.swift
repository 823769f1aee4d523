import Foundation

/// SplitMix64: a tiny seeded generator, so the same seed always yields the same hostile requests.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<upperBound` (modulo bias is irrelevant here; stability across toolchains is not).
    mutating func int(_ upperBound: Int) -> Int { Int(next() % UInt64(upperBound)) }

    /// A number in `range`.
    mutating func int(in range: ClosedRange<Int>) -> Int { range.lowerBound + int(range.count) }

    /// True with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < probability }

    /// One element of `items`.
    mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }
}

/// What a correct answer to a hostile request looks like.
enum HostileExpectation: String, Sendable {
    /// A 4xx with the JSON error shape.
    case refusal
    /// A refusal, or the connection closed without an answer: the client stopped sending in the middle of
    /// the request and shut its side, so nginx may drop it (logged as 499/400) without forwarding anything.
    case refusalOrNoAnswer
    /// A HEAD request: a 4xx with a JSON Content-Type and, as HTTP requires for HEAD, no body.
    case headRefusal
    /// A transfer coding nginx does not implement: a refusal, or nginx's 501, JSON thanks to `error_page 501`.
    case refusalOrNotImplemented
    /// Bytes that are not an HTTP request: a refusal, a JSON error without a status line (nginx answers
    /// what it parses as an HTTP/0.9 request with the body alone), or no answer.
    case garbage
    /// An HTTP/0.9 request (no version): the JSON error body alone, without status line or headers.
    case bodyOnlyRefusal
    /// A 200 with the stored thread: the first of repeated query parameters names a stored user and is a
    /// valid read. The first value wins by design (`HTTPRequest.query`), and reading a thread never writes.
    case storedThreadRead
}

/// One generated request: the exact bytes to send and what answer is acceptable.
struct HostileRequest: Sendable {
    /// Its position in the generated list (with the seed, enough to regenerate it).
    let index: Int
    /// The family that produced it, e.g. `json.truncated`.
    let family: String
    /// The whole request as sent on the wire.
    let bytes: [UInt8]
    /// Whether the client shuts down its sending side after the bytes.
    let halfClose: Bool
    let expectation: HostileExpectation

    /// The first bytes, printable (non-ASCII and control bytes as `\xNN`), for failure messages.
    var preview: String {
        var text = ""
        for byte in bytes.prefix(360) {
            switch byte {
            case 13: text += "\\r"
            case 10: text += "\\n"
            case 0x20..<0x7F where byte != UInt8(ascii: "\\"): text.append(Character(Unicode.Scalar(byte)))
            default: text += String(format: "\\x%02x", byte)
            }
        }
        return bytes.count > 360 ? "\(text)… (\(bytes.count) bytes)" : text
    }
}

/// What is stored before the fuzzing, so requests can aim at real users and threads.
struct HostileTargets: Sendable {
    /// Users that have a current thread.
    let users: [String]
    /// Each stored user's current thread id.
    let threads: [String: String]
}

/// Builds a few thousand malformed or invalid requests for the assistant API, family by family, each
/// refused by nginx or by the app before anything is written or the model is called. A request that
/// would be valid is never generated on purpose: the only 2xx allowed is `storedThreadRead`.
enum HostileRequestGenerator {
    /// At least `count` requests (at least one of each family, otherwise in proportion to the families'
    /// weights), shuffled.
    static func generate(seed: UInt64, count: Int, targets: HostileTargets) -> [HostileRequest] {
        var rng = SeededGenerator(seed: seed)
        let totalWeight = families.reduce(0) { $0 + $1.weight }
        var schedule: [(name: String, make: Family)] = []
        for family in families {
            let share = max(1, count * family.weight / totalWeight)
            schedule += Array(repeating: (family.name, family.make), count: share)
        }
        // What the rounding left over, heaviest families first.
        let heaviest = families.sorted { $0.weight > $1.weight }
        for index in 0..<max(0, count - schedule.count) {
            schedule.append((heaviest[index % heaviest.count].name, heaviest[index % heaviest.count].make))
        }
        for index in stride(from: schedule.count - 1, to: 0, by: -1) {
            schedule.swapAt(index, rng.int(index + 1))
        }
        return schedule.enumerated().map { index, entry in
            let draft = entry.make(&rng, targets)
            return HostileRequest(index: index, family: "\(entry.name).\(draft.variant)",
                                  bytes: draft.request.bytes(rateKey: index % 64), halfClose: draft.halfClose,
                                  expectation: draft.expectation)
        }
    }

    typealias Family = @Sendable (inout SeededGenerator, HostileTargets) -> Draft

    /// A request in the making.
    struct Draft {
        var variant: String
        var request: WireRequest
        var expectation: HostileExpectation = .refusal
        var halfClose = false
    }

    static let families: [(name: String, weight: Int, make: Family)] = [
        ("json", 18, invalidJSON),
        ("types", 16, wrongTypes),
        ("nesting", 1, deepNesting),
        ("size", 2, hugeBodies),
        ("query", 12, queryStrings),
        ("duplicates", 2, duplicateParameters),
        ("method", 7, methods),
        ("path", 8, oddPaths),
        ("contentType", 6, contentTypes),
        ("contentLength", 4, contentLengths),
        ("chunked", 4, chunkedBodies),
        ("headers", 5, headerFloods),
        ("requestLine", 4, requestLines),
        ("intent", 6, intents),
        ("connection", 4, connectionStrings),
    ]

    static let prefix = "/api/ai/assistant"

    // MARK: Bodies

    /// A chat body that would be valid: a message from `user`.
    static func chatMembers(_ user: String) -> [(String, [UInt8])] {
        [("userId", quoted(user)), ("projectRef", quoted("proj_fz")), ("message", quoted("Which tables do I have?"))]
    }

    /// A setup body that would be valid (and would write a new assistant version).
    static let setupMembers: [(String, [UInt8])] = [("name", quoted("Fuzzed")), ("instructions", quoted("Be brief."))]

    /// Invalid JSON: every body is a valid one broken in one place, so a parser that let the damage
    /// through would be seen (a 2xx, a model call, a write).
    static func invalidJSON(_ rng: inout SeededGenerator, _ targets: HostileTargets) -> Draft {
        let toSetup = rng.chance(0.3)
        let user = rng.chance(0.5) ? rng.pick(targets.users) : newUser(&rng)
        let members = toSetup ? setupMembers : chatMembers(user)
        let valid = object(members)
        let path = toSetup ? "\(prefix)/setup" : "\(prefix)/chat"
        let textKey = toSetup ? "name" : "message"
        let body: [UInt8]
        let variant: String
        switch rng.int(13) {
        case 0:
            variant = "truncated"
            body = Array(valid.prefix(rng.int(in: 1...(valid.count - 1))))
        case 1:
            variant = "trailingGarbage"
            let garbage = ["x", "}", "]", "{}", "[]", ";", "\u{0}", "//c", "/* c */", "#c", "\"s\"", "1", "null", "\u{0b}",
                           "\u{0c}", "\u{a0}", "\u{feff}", "\r\n}", " x", "\n\u{0}", "\u{2028}"]
            body = valid + Array(rng.pick(garbage).utf8)
        case 2:
            variant = "comment"
            let comment = rng.pick(["/* c */", "// c\n", "#c\n", "<!-- c -->"])
            body = Array("{".utf8) + Array(comment.utf8) + valid.dropFirst()
        case 3:
            variant = "badLiteral"
            let literal = rng.pick(["NaN", "Infinity", "-Infinity", "+1", ".5", "01", "1.", "0x10", "1_000", "1e999", "-",
                                    "undefined", "True", "None", "nul", "tru", "'single'", "`tick`", "\"\"\"", "--1", "1e"])
            body = object(replacing(textKey, in: members, with: Array(literal.utf8)))
        case 4:
            variant = "singleQuotes"
            body = valid.map { $0 == UInt8(ascii: "\"") ? UInt8(ascii: "'") : $0 }
        case 5:
            variant = "unquotedKeys"
            body = Array("{".utf8) + members.map { Array($0.0.utf8) + [UInt8(ascii: ":")] + $0.1 }
                .joined(separator: [UInt8(ascii: ",")]) + Array("}".utf8)
        case 6:
            variant = "badEscape"
            let escape = rng.pick(["\\x41", "\\u12", "\\u12G4", "\\ud800", "\\udc00", "\\ud800\\u0041", "\\uDFFF\\uD800", "\\a",
                                   "\\U0041", "\\'", "\\0", "\\\n", "\\v", "\\N"])
            body = object(replacing(textKey, in: members, with: Array("\"a\(escape)b\"".utf8)))
        case 7:
            variant = "rawControl"
            let control = UInt8(rng.int(32))
            body = object(replacing(textKey, in: members, with: Array("\"a".utf8) + [control] + Array("b\"".utf8)))
        case 8:
            variant = "invalidUTF8"
            body = object(replacing(textKey, in: members, with: [UInt8(ascii: "\"")] + invalidUTF8(&rng) + [UInt8(ascii: "\"")]))
        case 9:
            variant = "structure"
            body = brokenStructure(&rng, members)
        case 10:
            variant = "notAnObject"
            body = Array(rng.pick(["null", "1", "-0", "\"s\"", "[]", "true", "[{}]", "[\(String(decoding: valid, as: UTF8.self))]",
                                   "\"{\\\"userId\\\":\\\"u\\\"}\""]).utf8)
        case 11:
            // Not UTF-16 or UTF-32: JSONDecoder decodes those (a known finding, see HostileInputTests.knownFindings).
            variant = "leadingGarbage"
            body = Array(rng.pick([")]}',\n", "x", "\\", "while(1);", "\u{1}", "\u{0}\u{0}", "<", "\u{ff}"]).utf8) + valid
        default:
            variant = "nul"
            let position = rng.int(in: 0...valid.count)
            body = Array(valid[..<position]) + [0] + Array(valid[position...])
        }
        return Draft(variant: variant, request: WireRequest(method: "POST", target: path, headers: [json], body: body))
    }

    /// Wrong types and unacceptable values, one field at a time, on chat and setup.
    static func wrongTypes(_ rng: inout SeededGenerator, _ targets: HostileTargets) -> Draft {
        if rng.chance(0.3) { return wrongSetupTypes(&rng) }
        let user = rng.chance(0.5) ? rng.pick(targets.users) : newUser(&rng)
        var members = chatMembers(user)
        let field = rng.pick(["userId", "projectRef", "message", "threadId", "connectionString", "stream", "approve", "reject",
                              "cancel"])
        let limits = ["userId": 256, "projectRef": 256, "message": 32_000, "threadId": 256, "connectionString": 4_096,
                      "approve": 256, "reject": 256, "cancel": 256]
        var candidates = wrongTypeValues
        // null for an optional field means "absent", which would leave a valid request.
        if ["userId", "projectRef", "message"].contains(field) { candidates.append("null") }
        var value: [UInt8]
        var variant = field
        if field == "stream" {
            value = Array(rng.pick(candidates.filter { $0 != "true" && $0 != "false" } + ["\"true\"", "\"false\"", "1", "0", "\"yes\""]).utf8)
        } else if let limit = limits[field], rng.chance(0.2) {
            variant += ".tooLong"
            let character = rng.pick(["a", "é", "🙂", "\\u0000"])
            let count = limit + 1 + rng.int(200)
            value = Array("\"\(String(repeating: character, count: count))\"".utf8)
            // An escaped NUL is one character of the decoded value, and a control character in any field is refused too.
        } else if field == "userId" && rng.chance(0.3) {
            variant += ".control"
            value = Array(rng.pick(["\"a\\u0000b\"", "\"\\u001b[31mred\"", "\"\\u007f\"", "\"a\\u0085\"", "\"\\u0080x\"",
                                    "\"a\\r\\nb\"", "\"\\u0009\""]).utf8)
        } else {
            value = Array(rng.pick(candidates).utf8)
        }
        if ["approve", "reject", "cancel"].contains(field) {
            // With the message still there, any non-null value of these is a conflict; without it, a wrong type.
            if rng.chance(0.5) { members.removeAll { $0.0 == "message" } }
            members.append((field, value))
        } else if let position = members.firstIndex(where: { $0.0 == field }) {
            members[position].1 = value
        } else {
            members.append((field, value))
        }
        if rng.chance(0.3) { members.append(("unknownField", quoted("x"))) }
        var headers = [json]
        if rng.chance(0.2) { headers.append(("Accept", Array("text/event-stream".utf8))) }
        return Draft(variant: variant, request: WireRequest(method: "POST", target: "\(prefix)/chat", headers: headers,
                                                             body: object(members)))
    }

    static let wrongTypeValues = ["0", "-1", "3.25", "1e308", "-0", "true", "false", "[]", "[\"a\"]", "{}", "{\"a\":\"b\"}",
                                  "[[[[[]]]]]", "\"\"", "\"   \"", "\"\\t\\n\"", "[null]", "{\"$ne\":null}"]

    /// Setup bodies with one bad member each: wrong types, empty or overlong strings, model names with other
    /// characters, tool descriptions for unknown tools, unknown fields; or a bad `check` parameter.
    static func wrongSetupTypes(_ rng: inout SeededGenerator) -> Draft {
        var members = setupMembers
        var target = "\(prefix)/setup"
        let variant: String
        switch rng.int(7) {
        case 0:
            variant = "setup.type"
            let field = rng.pick(["name", "model", "instructions"])
            members.set(field, Array(rng.pick(wrongTypeValues).utf8))
        case 1:
            variant = "setup.tooLong"
            let (field, limit) = rng.pick([("name", 256), ("model", 128), ("instructions", 65_536)])
            members.set(field, Array("\"\(String(repeating: "m", count: limit + 1 + rng.int(50)))\"".utf8))
        case 2:
            variant = "setup.modelName"
            members.append(("model", quoted(rng.pick(["gpt 4", "gpt\u{0}", "ģpt", "a;b", "gpt-4\n", "gpt$(id)", "모델", "a\\b",
                                                      "gpt-4 ", "%67pt"]))))
        case 3:
            variant = "setup.toolDescriptions"
            let value = rng.pick(["{\"unknown_tool\":\"x\"}", "{\"run_sql\":\"\"}", "{\"run_sql\":\"  \"}", "{\"run_sql\":1}",
                                  "{\"run_sql\":[]}", "{\"run_sql\":{}}", "{\"\":\"x\"}", "\"run_sql\"", "[\"run_sql\"]", "1",
                                  "{\"RUN_SQL\":\"x\"}", "{\"run_sql\":\"\(String(repeating: "d", count: 4_097))\"}"])
            members.append(("toolDescriptions", Array(value.utf8)))
        case 4:
            variant = "setup.unknownField"
            members.append((rng.pick(["bogus", "Name", "name ", "__proto__", "constructor", "tools", "version", "provider", ""]),
                            quoted("x")))
        case 5:
            variant = "setup.emptyString"
            members.set(rng.pick(["name", "model", "instructions"]), quoted(rng.pick(["", " ", "\t\n"])))
        default:
            variant = "setup.checkParameter"
            target += "?check=" + rng.pick(["2", "yes", "%00", "-1", "truee", "1%001", "%ff", String(repeating: "1", count: 300)])
        }
        return Draft(variant: variant, request: WireRequest(method: "POST", target: target, headers: [json], body: object(members)))
    }

    /// Deeply nested bodies: 10k levels of arrays or objects, as the whole body, as a field's value,
    /// unbalanced, or just around the parser's depth limit.
    static func deepNesting(_ rng: inout SeededGenerator, _ targets: HostileTargets) -> Draft {
        // Bodies nested 500 deep take seconds of worker CPU each (a known finding): only a few of those.
        var depth = rng.chance(0.1) ? rng.pick([511, 512]) : rng.pick([10_000, 10_000, 50_000, 513, 514, 600, 5_000])
        let arrays = rng.chance(0.5)
        let open = arrays ? "[" : "{\"a\":"
        let close = arrays ? "]" : "}"
        let inner = arrays ? "" : "1"
        let balanced = rng.chance(0.8)
        let whole = rng.int(3) == 0
        // 513 unbalanced arrays as the whole body crash the worker (a known finding).
        if whole && arrays && !balanced && depth == 513 { depth = 514 }
        let nested = String(repeating: open, count: depth) + inner + (balanced ? String(repeating: close, count: depth) : "")
        let toSetup = rng.chance(0.3)
        let body: String
        switch whole ? 0 : rng.int(in: 1...2) {
        case 0: body = nested
        case 1:
            body = toSetup ? "{\"toolDescriptions\":{\"run_sql\":\(nested)}}"
                : "{\"userId\":\"\(rng.pick(targets.users))\",\"projectRef\":\"p\",\"message\":\(nested)}"
        default:
            body = toSetup ? "{\"name\":\(nested)}" : "{\"userId\":\(nested),\"projectRef\":\"p\",\"message\":\"hi\"}"
        }
        let path = toSetup ? "\(prefix)/setup" : "\(prefix)/chat"
        return Draft(variant: "\(arrays ? "arrays" : "objects")\(depth)\(balanced ? "" : ".unbalanced")",
                     request: WireRequest(method: "POST", target: path, headers: [json], body: Array(body.utf8)))
    }

    /// Bodies over the workers' cap (256 KiB in this test, answered by the app) and over nginx's 1 MiB
    /// (answered by nginx), with and without Content-Length, plus long but small-enough strings.
    static func hugeBodies(_ rng: inout SeededGenerator, _ targets: HostileTargets) -> Draft {
        let user = rng.pick(targets.users)
        let toSetup = rng.chance(0.3)
        let path = toSetup ? "\(prefix)/setup" : "\(prefix)/chat"
        func message(_ count: Int) -> [UInt8] {
            let field = toSetup ? "instructions" : "message"
            let start = toSetup ? "{\"\(field)\":\"" : "{\"userId\":\"\(user)\",\"projectRef\":\"p\",\"\(field)\":\""
            return Array(start.utf8) + [UInt8](repeating: UInt8(ascii: "w"), count: count) + Array("\"}".utf8)
        }
        switch rng.chance(0.05) ? 3 : rng.pick([0, 1, 2, 4, 5]) {
        case 0:
            return Draft(variant: "overWorkerCap", request: WireRequest(method: "POST", target: path, headers: [json],
                                                                      body: message(270_000 + rng.int(300_000))))
        case 1:
            return Draft(variant: "overNginxCap", request: WireRequest(method: "POST", target: path, headers: [json],
                                                                     body: message(1_100_000 + rng.int(200_000))))
        case 2:
            let request = WireRequest(method: "POST", target: path, headers: [json, ("Transfer-Encoding", Array("chunked".utf8))],
                                      body: chunked(message(1_100_000), size: 65_536), contentLength: false)
            return Draft(variant: "overNginxCapChunked", request: request)
        case 3:
            // Declared but not sent: nginx refuses on the header alone (after a 5 s wait for the body).
            let request = WireRequest(method: "POST", target: path, headers: [json, ("Content-Length", Array("2000000".utf8))],
                                      body: Array("{".utf8), contentLength: false)
            return Draft(variant: "declaredOverNginxCap", request: request)
        case 4:
            // Under every byte cap, but over MAX_MESSAGE_CHARS or the instructions limit.
            let body = toSetup ? message(65_537 + rng.int(1_000)) : message(32_001 + rng.int(150_000))
            return Draft(variant: "longString", request: WireRequest(method: "POST", target: path, headers: [json], body: body))
        default:
            // 20k members: unknown fields for setup, and no projectRef for chat.
            let members = (0..<20_000).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
            let body = toSetup ? "{\(members)}" : "{\"userId\":\"\(user)\",\(members)}"
            return Draft(variant: "wide", request: WireRequest(method: "POST", target: path, headers: [json], body: Array(body.utf8)))
        }
    }

    // MARK: Query strings

    /// GET and DELETE /thread with an invalid user id, or a stored user and an invalid parameter; odd
    /// separators, giant query strings and thousands of parameters.
    static func queryStrings(_ rng: inout SeededGenerator, _ targets: HostileTargets) -> Draft {
        let delete = rng.chance(0.25)
        var parameters: [String] = []
        var variant: String
        if delete || rng.chance(0.5) {
            variant = "badUserId"
            let choice = rng.pick(invalidUserIds + [nil, nil])
            if let choice { parameters.append(choice) } else { variant = "noUserId" }
            if !delete, rng.chance(0.5) { parameters.append("messages=1") }
            // A stored user named second never counts (the first value wins); after a differently named
            // parameter it would be the first, and valid.
            let namesUser = choice.map { $0 == "userId" || $0.hasPrefix("userId=") } ?? false
            if namesUser, rng.chance(0.3) { parameters.append("userId=\(encoded(rng.pick(targets.users)))") }
        } else {
            variant = "badParameter"
            parameters.append("userId=\(encoded(rng.pick(targets.users)))")
            let bad = rng.pick(invalidParameters)
            parameters.append(bad)
            // A valid value of the same name could end up first after the shuffle below, and win.
            let name = bad.split(separator: "=").first.map(String.init) ?? bad
            let extras = ["limit=5", "messages=1", "before=3", "messages=0"].filter { !$0.hasPrefix("\(name)=") }
            if rng.chance(0.3) { parameters.append(rng.pick(extras)) }
        }
        if rng.chance(0.3) {
            parameters.shuffleKeepingUserIdOrder(&rng)
            parameters.insert(rng.pick(["", "=", "&", "==", "=x", "%", "%G1", "%%41", "%u0041", ";x", "a=b=c", "x=%ff%fe", "x=%00"]),
                              at: rng.int(parameters.count + 1))
        }
        var query = parameters.joined(separator: rng.chance(0.1) ? "&&" : "&")
        switch rng.int(8) {
        case 0:
            variant += ".giant"
            query += "&pad=" + String(repeating: "p", count: rng.int(in: 2_000...14_000))
        case 1:
            variant += ".manyParameters"
            query += (0..<rng.int(in: 500...1_800)).map { "&p\($0)=\($0)" }.joined()
        case 2:
            variant += ".overLineLimit"
            query += "&pad=" + String(repeating: "q", count: rng.int(in: 17_000...40_000))
        default:
            break
        }
        var request = WireRequest(method: delete ? "DELETE" : "GET", target: "\(prefix)/thread?\(query)")
        if rng.chance(0.1) {
            // Raw (not percent-encoded) invalid UTF-8 in another parameter's value.
            variant += ".rawBytes"
            request.targetBytes += Array("&\(rng.pick(["projectRef", "x", "before", "limit"]))=".utf8) + invalidUTF8(&rng)
        }
        return Draft(variant: variant, request: request)
    }

    /// `userId=` values the app must refuse (already encoded for a query string). Invalid UTF-8 is left out:
    /// it is a known finding (see `HostileInputTests.knownFindings`).
    static let invalidUserIds: [String?] = [
        "userId=", "userId", "userId=%20", "userId=+", "userId=++", "userId=%09", "userId=%00", "userId=a%00b", "userId=%1b%5b31m",
        "userId=%7f", "userId=%C2%85", "userId=%C2%80", "userId=a%0d%0aSet-Cookie:%20x", "userId=\(String(repeating: "u", count: 257))",
        "userId=\(String(repeating: "%C3%A9", count: 300))", "userid=fz-user-0", "userId%5B%5D=fz-user-0", "%20userId=fz-user-0",
        "USERID=fz-user-0", "userId%3Dfz-user-0",
    ]

    /// Parameters of GET /thread that are invalid whatever the user.
    static let invalidParameters = [
        "limit=0", "limit=-1", "limit=201", "limit=1000000", "limit=abc", "limit=1e3", "limit=%2B%2B5", "limit=%205", "limit=5%20",
        "limit=0x10", "limit=99999999999999999999999", "limit=%EF%BC%95", "limit=%D9%A5", "limit=5.0", "limit=%00", "limit=5%00",
        "messages=yes", "messages=2", "messages=-1", "messages=on", "messages=%00", "messages=1%00", "messages=%ff",
        "before=0", "before=-1", "before=abc", "before=1.5", "before=9223372036854775808", "before=%00", "before=-9223372036854775808",
    ]

    /// Repeated parameters whose first value is a stored user's valid read: the one 2xx of the fuzz.
    static func duplicateParameters(_ rng: inout SeededGenerator, _ targets: HostileTargets) -> Draft {
        let user = rng.pick(targets.users)
        var parameters = ["userId=\(encoded(user))"]
        parameters.append(rng.pick(["userId=\(encoded(rng.pick(targets.users)))", "userId=", "userId=%00", "userId=%ff",
                                    "userId=\(String(repeating: "z", count: 400))"]))
        if rng.chance(0.5) { parameters += ["messages=1", rng.pick(["messages=banana", "messages=%00", "messages=0"])] }
        if rng.chance(0.5) { parameters += ["limit=5", rng.pick(["limit=abc", "limit=0", "limit=%ff"])] }
        var draft = Draft(variant: "firstWins", request: WireRequest(method: "GET", target: "\(prefix)/thread?" + parameters.joined(separator: "&")))
        draft.expectation = .storedThreadRead
        return draft
    }

    // MARK: Methods and paths

    /// Other methods on every endpoint, garbage method tokens, and HEAD (which has no body).
    static func methods(_ rng: inout SeededGenerator, _ targets: HostileTargets) -> Draft {
        let user = encoded(rng.pick(targets.users))
        let target = rng.pick(["\(prefix)/thread?userId=\(user)", "\(prefix)/chat", "\(prefix)/setup", "\(prefix)/health",
                               "\(prefix)/nope", "/", "/api/ai/assistant/", "\(prefix)/thread?userId=\(user)&limit=0"])
        var method: String
        switch rng.int(4) {
        case 0:
            method = rng.pick(["PATCH", "PUT", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "OPTIONS", "TRACE",
                               "SEARCH", "REPORT", "PURGE", "LINK", "UNLINK", "QUERY", "M-SEARCH", "HEAD", "CONNECT"])
        case 1:
            let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ_-")
            method = String((0..<rng.int(in: 1...24)).map { _ in rng.pick(letters) })
            if ["GET", "POST", "DELETE"].contains(method) { method = "X" + method }
        case 2:
            method = String(repeating: "Z", count: rng.int(in: 30...300))
        default:
            method = rng.pick(["get", "post", "Get", "dElEtE", "G3T", "GE@T", "GET\u{0}", "P\u{c3}\u{b6}ST", "GET/", "{}", "\u{7f}"])
        }
        var request = WireRequest(method: method, target: target)
        if rng.chance(0.4) {
            request.headers = [json]
            request.body = Array("{\"userId\":".utf8)
        }
        return Draft(variant: method.count > 20 ? "long" : method, request: request,
                     expectation: method == "HEAD" ? .headRefusal : .refusal)
    }

    /// Paths that nginx normalizes (dot segments, double slashes, encoded slashes), paths that are not
    /// ours, invalid escapes and bytes, and very long ones. Each carries a query the thread endpoint refuses,
    /// so a path that normalizes to it still gets a 400.
    static func oddPaths(_ rng: inout SeededGenerator, _ targets: HostileTargets) -> Draft {
        let query = "?userId=\(encoded(rng.pick(targets.users)))&limit=0"
        let templates = [
            "\(prefix)/../thread", "\(prefix)/./thread", "/\(prefix)/thread", "/api//ai/assistant/thread", "\(prefix)//thread",
            "\(prefix)/thread/", "\(prefix)/thread//", "\(prefix)/thread/.", "/api%2Fai%2Fassistant%2Fthread", "\(prefix)%2Fthread",
            "\(prefix)/%2e%2e/thread", "\(prefix)/%2e/thread", "\(prefix)/x/../thread", "\(prefix)/x/..%2Fthread",
            "\(prefix)/THREAD", "/API/ai/assistant/thread", "\(prefix)/thread;x=1", "\(prefix)/thread%3Bx", "\(prefix)/thread%20",
            "\(prefix)/thread%00", "\(prefix)/thread%", "\(prefix)/thread%zz", "\(prefix)/thread.json", "\(prefix)/thread/extra",
            "\(prefix)/thr%65ad", "\(prefix)/%ff", "\(prefix)/%c0%af", "\(prefix)/../../../../etc/passwd",
            "\(prefix)/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "\(prefix)/..%2F..%2F..%2Fetc%2Fpasswd", "\(prefix)\\thread",
            "\(prefix)/thread\\", "*", "api/ai/assistant/thread", "http://127.0.0.1\(prefix)/thread", "http://evil.example\(prefix)/thread",
            "\(prefix)/thread%23frag", "\(prefix)/%E2%80%AEdaerht", "\(prefix)/thread/%2e%2e", "/..\(prefix)/thread", "/.",
            "\(prefix)/.%2e/thread", "\(prefix)/thread%2F", "/api/ai/assistan", "\(prefix)/ thread",
            // Not "/api/ai/assistant" (no slash): nginx's HTML 301, a known finding.
        ]
        var path = rng.pick(templates)
        var variant = "template"
        switch rng.int(6) {
        case 0:
            variant = "long"
            path = "\(prefix)/" + String(repeating: rng.pick(["a", "a/", "%41", "../", "./"]), count: rng.int(in: 200...3_000))
        case 1:
            variant = "overLineLimit"
            path = "\(prefix)/" + String(repeating: "b", count: rng.int(in: 17_000...30_000))
        case 2:
            variant = "rawBytes"
            return Draft(variant: variant, request: WireRequest(method: "GET", targetBytes: Array("\(prefix)/".utf8) + invalidUTF8(&rng)
                                                                    + Array(query.utf8)))
        case 3:
            variant = "dotsBack"
            // Up and back down to the thread endpoint: normalized by nginx before it reaches the app.
            let depth = rng.int(in: 1...400)
            path = "\(prefix)/" + String(repeating: "x/", count: depth) + String(repeating: "../", count: depth) + "thread"
        default:
            break
        }
        return Draft(variant: variant, request: WireRequest(method: rng.chance(0.8) ? "GET" : "POST", target: path + query,
                                                             headers: [json], body: []))
    }

    // MARK: Framing

    /// A valid chat (or setup) body sent as something other than JSON, or JSON declared in a charset it is
    /// not written in.
    static func contentTypes(_ rng: inout SeededGenerator, _ targets: HostileTargets) -> Draft {
        let toSetup = rng.chance(0.25)
        let path = toSetup ? "\(prefix)/setup" : "\(prefix)/chat"
        let body = object(toSetup ? setupMembers : chatMembers(rng.chance(0.5) ? rng.pick(targets.users) : newUser(&rng)))
        if rng.chance(0.2) {
            // Declared as latin1 and written that way: not UTF-8, so not JSON. (Not UTF-16: JSONDecoder decodes
            // that, a known finding, see HostileInputTests.knownFindings.)
            let type = rng.pick(["application/json; charset=latin1", "application/json; charset=iso-8859-1", "application/json;charset=\"latin1\""])
            let user = "caf\u{e9}-\(rng.int(1_000))"
            let text = toSetup ? "{\"name\":\"\(user)\"}" : "{\"userId\":\"\(user)\",\"projectRef\":\"p\",\"message\":\"hi\"}"
            let bytes = text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
            return Draft(variant: "latin1",
                         request: WireRequest(method: "POST", target: path, headers: [("Content-Type", Array(type.utf8))], body: bytes))
        }
        let types: [[UInt8]?] = [
            nil, [], Array("text/plain".utf8), Array("text/json".utf8), Array("multipart/form-data; boundary=x".utf8),
            Array("application/x-www-form-urlencoded".utf8), Array("application/xml".utf8), Array("application/jsonp".utf8),
            Array("application/json-seq".utf8), Array("application/ json".utf8), Array("application/json\u{0}".utf8) ,
            Array("application/json".utf8) + [0xFF, 0xFE], Array("*/*".utf8), Array("application/*".utf8), Array(";".utf8),
            Array("application".utf8), Array("json".utf8), Array("application/javascript".utf8), Array("text/html; charset=utf-8".utf8),
            Array("application/octet-stream".utf8), Array("application/jsonx".utf8), Array("application/x-json-stream".utf8),
        ]
        var request = WireRequest(method: "POST", target: path, body: body)
        let type = rng.pick(types)
        if let type { request.headers.append(("Content-Type", type)) }
        if type.map({ String(decoding: $0, as: UTF8.self).hasPrefix("multipart") }) == true {
            request.body = Array("--x\r\nContent-Disposition: form-data; name=\"json\"\r\nContent-Type: application/json\r\n\r\n".utf8)
                + body + Array("\r\n--x--\r\n".utf8)
        }
        return Draft(variant: type.map { String(decoding: $0.prefix(24), as: UTF8.self) } ?? "missing", request: request)
    }

    /// Content-Length that lies (shorter or longer than the body), is malformed, repeated, or missing.
    /// The body is an invalid chat request in itself, so whatever part of it the app gets is refused.
    static func contentLengths(_ rng: inout SeededGenerator, _ targets: HostileTargets) -> Draft {
        let body = Array("{\"userId\":\"\(rng.pick(targets.users))\",\"message\":\"no projectRef\"}".utf8)
        var request = WireRequest(method: "POST", target: "\(prefix)/chat", headers: [json], body: body, contentLength: false)
        var draft = Draft(variant: "", request: request)
        switch rng.int(5) {
        case 0:
            draft.variant = "shorter"
            request.headers.append(("Content-Length", Array(String(rng.int(in: 0...(body.count - 1))).utf8)))
        case 1:
            draft.variant = "longer"
            request.headers.append(("Content-Length", Array(String(body.count + rng.int(in: 1...5_000)).utf8)))
            draft.expectation = .refusalOrNoAnswer
            draft.halfClose = true
        case 2:
            draft.variant = "malformed"
            let value = rng.pick(["-1", "abc", "1 2", "0x10", "+5", "5,5", "99999999999999999999999", "", "1e3", "\u{0}", "5\u{0}",
                                  "٥", "0.5", "-0"])
            request.headers.append(("Content-Length", Array(value.utf8)))
            draft.expectation = .refusalOrNoAnswer
            draft.halfClose = true
        case 3:
            draft.variant = "repeated"
            let first = rng.chance(0.5) ? body.count : rng.int(body.count)
            request.headers.append(("Content-Length", Array(String(first).utf8)))
            request.headers.append(("Content-Length", Array(String(rng.chance(0.5) ? first : body.count + 3).utf8)))
            draft.expectation = .refusalOrNoAnswer
            draft.halfClose = true
        default:
            draft.variant = "missing"
        }
        draft.request = request
        return draft
    }

    /// Chunked bodies: well-formed (the app refuses the content), with extensions and trailers, with
    /// malformed or overflowing sizes, cut short, combined with Content-Length, or other transfer codings.
    static func chunkedBodies(_ rng: inout SeededGenerator, _ targets: HostileTargets) -> Draft {
        let body = Array("{\"userId\":\"\(rng.pick(targets.users))\",\"projectRef\":\"p\",\"message\":\"\"}".utf8)
        var headers = [json, ("Transfer-Encoding", Array("chunked".utf8))]
        var encoded = chunked(body, size: rng.int(in: 1...16))
        var draft = Draft(variant: "wellFormed", request: WireRequest(method: "POST", target: "\(prefix)/chat"))
        switch rng.int(7) {
        case 0:
            break
        case 1:
            draft.variant = "extensionsAndTrailers"
            encoded = Array("\(String(body.count, radix: 16));ext=1;q=\"x\"\r\n".utf8) + body + Array("\r\n0\r\nX-Trailer: t\r\n\r\n".utf8)
        case 2:
            draft.variant = "badSize"
            let size = rng.pick(["zz", "-1", "ffffffffffffffffffff", "1 1", "0x5", "", "+5", "\u{0}"])
            encoded = Array("\(size)\r\n".utf8) + body + Array("\r\n0\r\n\r\n".utf8)
            draft.expectation = .refusalOrNoAnswer
            draft.halfClose = true
        case 3:
            draft.variant = "cutShort"
            encoded = Array(encoded.prefix(rng.int(in: 1...(encoded.count - 3))))
            draft.expectation = .refusalOrNoAnswer
            draft.halfClose = true
        case 4:
            draft.variant = "withContentLength"
            headers.append(("Content-Length", Array(String(encoded.count).utf8)))
        case 5:
            draft.variant = "otherCoding"
            headers[1].1 = Array(rng.pick(["gzip", "gzip, chunked", "chunked, gzip", "identity", "chunked, chunked", "CHUNKED",
                                           "chunked;q=1", " chunked", "x-custom", "deflate"]).utf8)
            draft.expectation = .refusalOrNotImplemented
        default:
            draft.variant = "sizeMismatch"
            encoded = Array("\(String(body.count + rng.int(in: 1...50), radix: 16))\r\n".utf8) + body + Array("\r\n0\r\n\r\n".utf8)
            draft.expectation = .refusalOrNoAnswer
            draft.halfClose = true
        }
        draft.request = WireRequest(method: "POST", target: "\(prefix)/chat", headers: headers, body: encoded, contentLength: false)
        return draft
    }

    // MARK: Headers and request lines

    /// Thousands of headers, one enormous header, NUL and invalid UTF-8 in values, malformed header lines,
    /// duplicate or missing Host, identity-looking headers. The request itself is one the app refuses.
    static func headerFloods(_ rng: inout SeededGenerator, _ targets: HostileTargets) -> Draft {
        var request = WireRequest(method: "GET", target: "\(prefix)/thread?userId=\(encoded(rng.pick(targets.users)))&limit=0")
        let variant: String
        switch rng.int(7) {
        case 0:
            variant = "many"
            request.headers = (0..<rng.int(in: 50...3_000)).map { ("X-Flood-\($0)", Array("v\($0)".utf8)) }
        case 1:
            variant = "huge"
            request.headers = [("X-Huge", [UInt8](repeating: UInt8(ascii: "h"), count: rng.int(in: 1_000...40_000)))]
        case 2:
            variant = "nulOrInvalidUTF8"
            request.headers = [(rng.pick(["User-Agent", "Accept", "X-Thing", "Cookie", "Referer"]),
                                rng.chance(0.5) ? Array("a".utf8) + [0] + Array("b".utf8) : invalidUTF8(&rng))]
        case 3:
            variant = "malformedLine"
            request.rawHeaderLines = [rng.pick(["NoColon", "X A: b", " Leading: space", "X-A : b", ": empty-name", "X-A:\u{0}",
                                                "X-A: b\r\n continuation", "X-\u{ff}: b", "X-A: b\rc", "X-A\tB: c"])]
        case 4:
            variant = "host"
            request.omitHost = true
            request.headers = rng.pick([[], [("Host", Array("a".utf8)), ("Host", Array("b".utf8))], [("Host", Array("".utf8))],
                                        [("Host", Array("a b".utf8))], [("Host", Array("[::1".utf8))], [("Host", Array("x/y".utf8))],
                                        [("Host", [UInt8](repeating: UInt8(ascii: "h"), count: 5_000))], [("Host", Array("..".utf8))]])
        case 5:
            variant = "identity"
            request.headers = [(rng.pick(["Auth-User", "X-Auth-User", "Remote-User", "X-Forwarded-For", "X-Real-IP", "Forwarded",
                                          "Auth_User", "Document-Uri", "Script-Name", "Request-Method"]),
                                Array(rng.pick(["admin", "127.0.0.1", "fz-user-0", "/api/ai/assistant/health", "POST"]).utf8))]
        default:
            variant = "cookies"
            request.headers = (0..<rng.int(in: 10...400)).map { ("Cookie", Array("c\($0)=\(String(repeating: "v", count: 30))".utf8)) }
        }
        return Draft(variant: variant, request: request)
    }

    /// Request lines that are not HTTP/1.x: garbage bytes, missing or odd versions, HTTP/0.9, TLS and
    /// HTTP/2 prefaces, an empty connection.
    static func requestLines(_ rng: inout SeededGenerator, _ targets: HostileTargets) -> Draft {
        let user = encoded(rng.pick(targets.users))
        var draft: Draft
        switch rng.int(6) {
        case 0:
            // Binary garbage whose first byte no request line starts with.
            var bytes = [UInt8(rng.chance(0.5) ? rng.int(in: 0...8) : rng.int(in: 0x80...0xFF))]
            bytes += (0..<rng.int(in: 0...300)).map { _ in UInt8(rng.int(256)) }
            draft = Draft(variant: "binary", request: WireRequest(raw: bytes + Array("\r\n\r\n".utf8)))
            draft.expectation = .garbage
        case 1:
            let line = rng.pick(["GET \(prefix)/thread?userId=\(user)&limit=0 HTTP/1.1x", "GET \(prefix)/thread HTTP/", "GET \(prefix)/thread HTTP/1",
                                 "GET \(prefix)/thread HTTP/01.1", "GET \(prefix)/thread HTTTP/1.1", "GET \(prefix)/thread http/1.1",
                                 "GET\t\(prefix)/thread HTTP/1.1", "GET \(prefix)/thread HTTP/1.1 extra", "GET HTTP/1.1",
                                 " GET \(prefix)/thread HTTP/1.1", "GET", "GET \(prefix)/thread?userId=\(user)&limit=0 HTTP/1.1\u{0}"])
            draft = Draft(variant: "badVersion", request: WireRequest(raw: Array("\(line)\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)))
            draft.expectation = .garbage
        case 2:
            // HTTP/0.9: no version, no headers; the app's refusal comes back as the bare body.
            let target = rng.pick(["\(prefix)/thread", "\(prefix)/thread?userId=\(user)&limit=0", "\(prefix)/nope", "/"])
            draft = Draft(variant: "http09", request: WireRequest(raw: Array("GET \(target)\r\n".utf8)))
            draft.expectation = .bodyOnlyRefusal
            return draft
        case 3:
            let preface: [UInt8] = rng.chance(0.5)
                ? Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
                : [0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03] + (0..<32).map { _ in UInt8(rng.int(256)) }
            draft = Draft(variant: "otherProtocol", request: WireRequest(raw: preface))
            draft.expectation = .garbage
        case 4:
            draft = Draft(variant: "empty", request: WireRequest(raw: rng.pick([[], Array("\r\n".utf8), Array("\r\n\r\n".utf8)])))
            draft.expectation = .garbage
        default:
            // HTTP/1.0 and absolute-form targets are fine HTTP; the query is what the app refuses.
            let line = rng.pick(["GET \(prefix)/thread?userId=\(user)&limit=0 HTTP/1.0",
                                 "GET http://127.0.0.1\(prefix)/thread?userId=\(user)&limit=0 HTTP/1.1",
                                 "GET \(prefix)/thread?userId=\(user)&limit=0 HTTP/1.2"])
            return Draft(variant: "oddButValid", request: WireRequest(raw: Array("\(line)\r\nHost: x\r\nConnection: close\r\n\r\n".utf8)))
        }
        draft.halfClose = true
        return draft
    }

    // MARK: Chat semantics

    /// Approvals, rejections and cancellations of things that do not exist, threads of other users, and
    /// conflicting intents: all refused before anything is stored or the model is called.
    static func intents(_ rng: inout SeededGenerator, _ targets: HostileTargets) -> Draft {
        let user = rng.pick(targets.users)
        let other = rng.pick(targets.users.filter { $0 != user })
        var members: [(String, [UInt8])] = [("userId", quoted(user)), ("projectRef", quoted("proj_fz"))]
        let bogusIds = ["act_missing", "run_missing", "x' OR '1'='1", "%", "_", "*", "act_\(String(repeating: "9", count: 200))",
                        "\u{0}", "../run", "run_\u{202e}"]
        let variant: String
        switch rng.int(6) {
        case 0:
            variant = "unknownAction"
            members.append(("threadId", quoted(targets.threads[user]!)))
            members.append((rng.pick(["approve", "reject", "cancel"]), quoted(rng.pick(bogusIds))))
        case 1:
            variant = "otherUsersThread"
            members.append(("threadId", quoted(targets.threads[other]!)))
            members.append(rng.chance(0.5) ? ("message", quoted("Show me their data")) : (rng.pick(["approve", "reject", "cancel"]), quoted("run_x")))
        case 2:
            variant = "unknownThread"
            members.append(("threadId", quoted(rng.pick(["thread_missing", "' OR 1=1 --", "thread_%", "*", "",
                                                         String(repeating: "t", count: 256), "thread_\u{0}"]))))
            members.append(("message", quoted("hello")))
        case 3:
            variant = "conflicting"
            members.append(("threadId", quoted(targets.threads[user]!)))
            let fields = rng.pick([["message", "approve"], ["approve", "reject"], ["reject", "cancel"], ["message", "cancel"],
                                   ["approve", "reject", "cancel"]])
            members += fields.map { ($0, quoted("act_x")) }
        case 4:
            variant = "actionWithoutThread"
            members.append((rng.pick(["approve", "reject", "cancel"]), quoted("act_x")))
        default:
            variant = "emptyAction"
            members.append(("threadId", quoted(targets.threads[user]!)))
            members.append((rng.pick(["approve", "reject", "cancel"]), quoted(rng.pick(["", " ", "\t"]))))
        }
        if rng.chance(0.3) { members.append(("stream", Array("true".utf8))) }
        return Draft(variant: variant, request: WireRequest(method: "POST", target: "\(prefix)/chat", headers: [json], body: object(members)))
    }

    /// Valid chat messages with connection strings the host policy must refuse before anything is stored:
    /// other hosts, metadata addresses, hostaddr overrides, service files, unparsable strings, other ports,
    /// Unix sockets, control characters.
    static func connectionStrings(_ rng: inout SeededGenerator, _ targets: HostileTargets) -> Draft {
        let user = rng.chance(0.5) ? rng.pick(targets.users) : newUser(&rng)
        let value = rng.pick([
            "postgresql://10.0.0.1/db", "postgresql://169.254.169.254/latest", "host=example.com dbname=x",
            "host=localhost,10.1.1.1 dbname=x", "hostaddr=8.8.8.8 host=localhost", "service=prod", "servicefile=/etc/passwd service=x",
            "postgresql://[::ffff:10.0.0.1]/x", "postgresql://user:pw@evil.example:5432/db?sslmode=disable",
            "postgres://[", "host='unterminated", "mydb", "postgresql://127.0.0.1.nip.io/x",
            "postgresql://localhost:5432,evil.example/x", "host=localhost hostaddr=192.168.1.1", "postgresql://%31%30.0.0.1/x",
            "postgresql://[fe80::1%25eth0]/x", "host=metadata.google.internal", "postgresql:///db?host=10.0.0.1",
            "postgresql://localhost/db?hostaddr=10.0.0.2", "postgresql://localhost/db?service=x",
            "postgresql://127.0.0.1:6379/x", "host=localhost port=22", "host=/var/run/postgresql dbname=x", "postgresql:///x",
            "host=127.0.0.1 user='a\r\nINJECTED'", "postgresql://a%0D%0Ab@127.0.0.1/x", "host=localhost port=+5432",
        ])
        var members = chatMembers(user)
        members.append(("connectionString", quoted(value)))
        return Draft(variant: "refused", request: WireRequest(method: "POST", target: "\(prefix)/chat", headers: [json], body: object(members)))
    }

    // MARK: Helpers

    static let json: (String, [UInt8]) = ("Content-Type", Array("application/json".utf8))

    static func newUser(_ rng: inout SeededGenerator) -> String { "fz-new-\(rng.int(1_000_000))" }

    /// `text` as a JSON string literal.
    static func quoted(_ text: String) -> [UInt8] {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return Array((out + "\"").utf8)
    }

    /// A JSON object from members whose values are raw JSON text (valid or not).
    static func object(_ members: [(String, [UInt8])]) -> [UInt8] {
        Array("{".utf8) + members.map { quoted($0.0) + [UInt8(ascii: ":")] + $0.1 }.joined(separator: [UInt8(ascii: ",")]) + Array("}".utf8)
    }

    static func replacing(_ key: String, in members: [(String, [UInt8])], with value: [UInt8]) -> [(String, [UInt8])] {
        members.map { $0.0 == key ? ($0.0, value) : $0 }
    }

    /// One invalid UTF-8 sequence: overlong, surrogate, out of range, truncated or stray bytes.
    static func invalidUTF8(_ rng: inout SeededGenerator) -> [UInt8] {
        rng.pick([[0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80],
                  [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82], [0xFF], [0xFE, 0xFF], [0x80], [0xBF, 0xBF], [0xC3],
                  [0x61, 0xF0, 0x9F, 0x99], [0xC1, 0xBF]])
    }

    /// Valid JSON members joined with one structural mistake.
    static func brokenStructure(_ rng: inout SeededGenerator, _ members: [(String, [UInt8])]) -> [UInt8] {
        let parts = members.map { quoted($0.0) + [UInt8(ascii: ":")] + $0.1 }
        func join(_ separator: String) -> [UInt8] { Array(parts.joined(separator: Array(separator.utf8))) }
        switch rng.int(9) {
        case 0, 1:
            let colon = Array((rng.chance(0.5) ? " " : "::").utf8)
            let pairs: [[UInt8]] = members.map { quoted($0.0) + colon + $0.1 }
            return Array("{".utf8) + Array(pairs.joined(separator: [UInt8(ascii: ",")])) + Array("}".utf8)
        case 2: return Array("{".utf8) + join(" ") + Array("}".utf8)
        case 3: return Array("{".utf8) + join(",,") + Array("}".utf8)
        case 4: return Array("{,".utf8) + join(",") + Array("}".utf8)
        case 5: return Array("{".utf8) + join(",") + Array("]".utf8)
        case 6: return Array("{".utf8) + join(",") + Array("}}".utf8)
        case 7: return Array("{".utf8) + join(",").dropLast() + Array("}".utf8)
        default: return Array(rng.pick(["{1:\"u\"}", "{null:1}", "{[]:1}", "{\"a\"}", "{:1}", "{\"a\":}"]).utf8)
        }
    }

    /// `body` in chunked transfer coding, `size` bytes per chunk.
    static func chunked(_ body: [UInt8], size: Int) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        while start < body.count {
            let end = min(start + size, body.count)
            out += Array("\(String(end - start, radix: 16))\r\n".utf8) + body[start..<end] + Array("\r\n".utf8)
            start = end
        }
        return out + Array("0\r\n\r\n".utf8)
    }

    /// Percent-encodes everything but unreserved characters.
    static func encoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}

/// An HTTP/1.1 request as bytes: request line, `Host`, `Connection: close`, a per-request
/// `Authorization` (nginx keys its rate limit on it, so the fuzz is not answered 429 throughout; the app
/// ignores it without an auth service), the given headers, `Content-Length`, the body.
struct WireRequest {
    var method = "GET"
    var targetBytes: [UInt8] = Array("/".utf8)
    var headers: [(String, [UInt8])] = []
    /// Header lines sent verbatim after `headers`.
    var rawHeaderLines: [String] = []
    var body: [UInt8] = []
    /// Whether to add `Content-Length` for a non-empty body.
    var contentLength = true
    var omitHost = false
    /// When set, the exact bytes to send, ignoring everything else.
    var raw: [UInt8]?

    init(method: String = "GET", target: String, headers: [(String, [UInt8])] = [], body: [UInt8] = [], contentLength: Bool = true) {
        self.method = method
        targetBytes = Array(target.utf8)
        self.headers = headers
        self.body = body
        self.contentLength = contentLength
    }

    init(method: String, targetBytes: [UInt8]) {
        self.method = method
        self.targetBytes = targetBytes
    }

    init(raw: [UInt8]) { self.raw = raw }

    func bytes(rateKey: Int) -> [UInt8] {
        if let raw { return raw }
        var out = Array("\(method) ".utf8) + targetBytes + Array(" HTTP/1.1\r\n".utf8)
        if !omitHost { out += Array("Host: 127.0.0.1\r\n".utf8) }
        out += Array("Connection: close\r\nAuthorization: Bearer fuzz-\(rateKey)\r\n".utf8)
        for (name, value) in headers { out += Array("\(name): ".utf8) + value + Array("\r\n".utf8) }
        for line in rawHeaderLines { out += Array("\(line)\r\n".utf8) }
        if contentLength && !body.isEmpty { out += Array("Content-Length: \(body.count)\r\n".utf8) }
        return out + Array("\r\n".utf8) + body
    }
}

extension Array where Element == (String, [UInt8]) {
    /// Replaces the member called `name`, or appends it: with two equal keys the first would win.
    mutating func set(_ name: String, _ value: [UInt8]) {
        if let position = firstIndex(where: { $0.0 == name }) { self[position].1 = value } else { append((name, value)) }
    }
}

extension Array where Element == String {
    /// Shuffles, keeping the `userId` parameters in their order (the first one is the one that counts).
    mutating func shuffleKeepingUserIdOrder(_ rng: inout SeededGenerator) {
        let users = filter { $0.hasPrefix("userId") }
        var others = filter { !$0.hasPrefix("userId") }
        for index in stride(from: others.count - 1, to: 0, by: -1) { others.swapAt(index, rng.int(index + 1)) }
        self = users + others
    }
}
