import Glibc
import JSON
import Logging
@testable import Logs
import Testing

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    @Test("each message is one line holding one JSON object: ts, level, worker, event, then the metadata")
    func oneObjectPerLine() throws {
        let captured = CapturedLines()
        let logger = captured.logger()
        logger.info("run ended", metadata: ["status": "completed", "rounds": "2"])
        logger.warning("slow step", metadata: ["duration_ms": .stringConvertible(1530)])

        #expect(captured.raw.count == 2)
        for line in captured.raw {
            #expect(line.last == UInt8(ascii: "\n") && line.filter { $0 == UInt8(ascii: "\n") }.count == 1)
        }
        let objects = try captured.objects()
        #expect(objects[0]["level"] == .string("info"))
        #expect(objects[0]["event"] == .string("run ended"))
        #expect(objects[0]["worker"]?.intValue == Int(getpid()))
        #expect(objects[0]["status"] == .string("completed") && objects[0]["rounds"] == .string("2"))
        #expect(objects[1]["level"] == .string("warning"))
        #expect(objects[1]["duration_ms"] == .number(1530), "a number in the metadata stays a number")
        let stamp = try #require(objects[0]["ts"]?.stringValue)
        #expect(stamp.count == 24 && stamp.hasSuffix("Z") && stamp.dropFirst(19).hasPrefix("."), "\(stamp)")
    }

    @Test("the fixed fields come first, in order, and other metadata follows sorted by key")
    func fieldOrder() {
        let line = JSONLogHandler.line(
            timestamp: LogTimestamp(seconds: 1_764_056_584, milliseconds: 7), level: .notice, worker: 42, message: "m",
            fields: ["zeta": "z", "duration_ms": .stringConvertible(5), "run_id": "run_1", "alpha": "a",
                     "user": "ada", "request_id": "abc"])
        #expect(String(decoding: line, as: UTF8.self) == """
            {"ts":"2025-11-25T07:43:04.007Z","level":"notice","worker":42,"event":"m","request_id":"abc","user":"ada",\
            "run_id":"run_1","duration_ms":5,"alpha":"a","zeta":"z"}

            """)
    }

    @Test("quotes, backslashes, control characters and newlines are escaped; other text passes through")
    func escaping() throws {
        let captured = CapturedLines()
        let tricky = "say \"hi\"\\ now\nsecond line\r\ttab \u{01}\u{1F}\u{7F} é 🐘 \u{2028}"
        captured.logger().error("\(tricky)", metadata: ["detail": "\(tricky)", "key \"quoted\"\n": "v"])
        let line = try #require(captured.raw.first)
        #expect(line.filter { $0 == UInt8(ascii: "\n") }.count == 1, "the newline in the message does not split the line")
        #expect(!line.dropLast().contains { $0 < 0x20 }, "no raw control character")
        let text = String(decoding: line, as: UTF8.self)
        // DEL (0x7F) is not a control character for JSON: it stays as it is, as JSONEncoder leaves it.
        #expect(text.contains(#"say \"hi\"\\ now\nsecond line\r\ttab \u0001\u001f"# + "\u{7F} é 🐘"), "\(text)")
        let object = try #require(try captured.objects().first)
        #expect(object["event"] == .string(tricky))
        #expect(object["detail"] == .string(tricky))
        #expect(object["key \"quoted\"\n"] == .string("v"))
    }

    @Test("levels below the handler's are dropped; each level is written under its name")
    func levels() throws {
        let captured = CapturedLines()
        let logger = captured.logger(level: .notice)
        for level in Logger.Level.allCases { logger.log(level: level, "at \(level)") }
        let names = try captured.objects().compactMap { $0["level"]?.stringValue }
        #expect(names == ["notice", "warning", "error", "critical"])
    }

    @Test("metadata keeps its JSON types: numbers, booleans, null, nested objects and arrays")
    func metadataTypes() throws {
        let captured = CapturedLines()
        captured.logger().info("typed", metadata: [
            "count": .stringConvertible(3), "big": .stringConvertible(Int64(-9_000_000_000)), "ratio": .stringConvertible(0.25),
            "infinite": .stringConvertible(Double.infinity), "ok": .stringConvertible(true), "nothing": .null,
            "nested": .dictionary(["b": "2", "a": .array(["x", .stringConvertible(1), .null])]),
        ])
        let object = try #require(try captured.objects().first)
        #expect(object["count"] == .number(3) && object["big"] == .number(-9_000_000_000) && object["ratio"] == .number(0.25))
        #expect(object["infinite"] == .string("inf"), "not a JSON number: written as text")
        #expect(object["ok"] == .bool(true) && object["nothing"] == .null)
        #expect(object["nested"] == .object(["b": .string("2"), "a": .array([.string("x"), .number(1), .null])]))
    }

    @Test("metadata named like a fixed field does not repeat it; the call's metadata wins over the provider's and the logger's")
    func collisionsAndPrecedence() throws {
        let captured = CapturedLines()
        let provider = Logger.MetadataProvider { ["user": "from-provider", "request_id": "req-1"] }
        var logger = captured.logger(provider: provider)
        logger[metadataKey: "user"] = "from-logger"
        logger[metadataKey: "component"] = "tests"
        logger.info("hello", metadata: ["event": "spoof", "level": "spoof", "request_id": "req-explicit"])
        let text = try #require(captured.texts.first)
        #expect(text.components(separatedBy: #""event":"#).count == 2, "one event member: \(text)")
        let object = try #require(try captured.objects().first)
        #expect(object["event"] == .string("hello") && object["level"] == .string("info"))
        #expect(object["metadata.event"] == .string("spoof") && object["metadata.level"] == .string("spoof"))
        #expect(object["user"] == .string("from-provider") && object["request_id"] == .string("req-explicit"))
        #expect(object["component"] == .string("tests"))
    }

    @Test("timestamps are RFC 3339 in UTC with milliseconds")
    func timestamps() {
        #expect(LogTimestamp(seconds: 0, milliseconds: 5).text == "1970-01-01T00:00:00.005Z")
        #expect(LogTimestamp(seconds: 951_868_799, milliseconds: 999).text == "2000-02-29T23:59:59.999Z")
        #expect(LogTimestamp(seconds: 1_764_056_584, milliseconds: 120).text == "2025-11-25T07:43:04.120Z")
    }

    @Test("LOG_FORMAT: json by default, text on request, nothing else")
    func formatSetting() {
        #expect(LogFormat(setting: nil) == .json && LogFormat(setting: "") == .json)
        #expect(LogFormat(setting: "JSON") == .json && LogFormat(setting: "text") == .text)
        #expect(LogFormat(setting: "xml") == nil)
    }
}
