import Foundation
import JSON
import QueryTools
import SchemaTools
import Testing
import ToolsCore
import TrashTools

/// run_sql's cap on single values: one larger than the output budget stays on the server, whatever the
/// query, and the rest of the query's shape (names, types, order) is what it would be alone.
@Suite("run_sql: value cap", .serialized)
struct RunSQLValueCapTests {
    let database: ToolTestDatabase

    init() throws {
        database = try ToolTestDatabase(prefix: "valuecap")
    }

    private func rows(_ query: String) throws -> [JSONValue] {
        let result = RunSQLTool().execute(.object(["query": .string(query)]), context: database.context())
        let data = try #require(result.data, "\(result.json.serialized())")
        return try #require(data["rows"]?.arrayValue)
    }

    /// The process's peak resident memory so far, in bytes.
    private func peakMemory() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1_024
    }

    @Test("a value over the output budget comes back as valueTooLarge with its size and a preview; the others as usual")
    func marker() throws {
        let result = RunSQLTool().execute(.object(["query": .string("SELECT repeat('ab', 100000) AS big, 7 AS small, true AS flag")]),
                                          context: database.context())
        let data = try #require(result.data, "\(result.json.serialized())")
        let row = try #require(data["rows"]?.arrayValue?.first)
        #expect(row["big"]?["valueTooLarge"] == .bool(true))
        #expect(row["big"]?["bytes"] == .number(200_000))
        #expect(row["big"]?["preview"] == .string(String(repeating: "ab", count: 100)))
        #expect(row["small"] == .number(7))
        #expect(row["flag"] == .bool(true))
        #expect(data["columns"] == .array([
            .object(["name": .string("big"), "type": .string("text")]),
            .object(["name": .string("small"), "type": .string("integer")]),
            .object(["name": .string("flag"), "type": .string("boolean")]),
        ]))
    }

    @Test("a value is measured as JSON escapes it: quotes count twice, control characters up to six times")
    func escapedSize() throws {
        // 200 quotes are 400 bytes escaped: sent. 10,000 control characters are 60,000: over the 32 KiB budget.
        let quotes = try rows("SELECT repeat('\"', 200) AS q")
        #expect(quotes.first?["q"]?.stringValue?.count == 200, "\(quotes)")
        let controls = try rows("SELECT repeat(chr(1), 10000) AS c")
        #expect(controls.first?["c"]?["valueTooLarge"] == .bool(true), "\(controls)")
    }

    @Test("a 256 MB value never enters the worker's memory")
    func hugeValue() throws {
        let before = peakMemory()
        let found = try rows("SELECT repeat('x', 256 * 1024 * 1024) AS huge")
        let grown = peakMemory() - before
        #expect(found.first?["huge"]?["bytes"] == .number(Double(256 << 20)))
        #expect(grown < 128 << 20, "peak memory grew by \(grown >> 20) MiB")
    }

    @Test("a query of more columns than the cap can measure is refused, naming the limit")
    func tooManyColumns() throws {
        let columns = (1...301).map { "\($0) AS c\($0)" }.joined(separator: ", ")
        let result = RunSQLTool().execute(.object(["query": .string("SELECT \(columns)")]), context: database.context())
        #expect(result.error?.code == .invalidArguments, "\(result.json.serialized().prefix(300))")
        #expect(result.error?.message.contains("at most 300") == true)
        #expect(try rows("SELECT \((1...300).map { "\($0) AS c\($0)" }.joined(separator: ", "))").first?["c300"] == .number(300))
    }

    @Test("order, repeated names, trailing semicolons and comments, and zero-column queries are as before", arguments: [
        ("SELECT g FROM generate_series(1, 4) AS g ORDER BY g DESC;", #"[{"g":4},{"g":3},{"g":2},{"g":1}]"#),
        ("SELECT 1 AS a, 2 AS a -- two of them", #"[{"a":1,"a_2":2}]"#),
        ("SELECT 'x' /* note */ ;  -- after", #"[{"?column?":"x"}]"#),
        ("VALUES (1, 'one') ORDER BY 1", #"[{"column1":1,"column2":"one"}]"#),
        ("WITH t AS (SELECT 2 AS n) TABLE t", #"[{"n":2}]"#),
        ("SELECT FROM generate_series(1, 2)", #"[{},{}]"#),
        ("SELECT NULL AS nothing, ROW(1, 'a') AS pair, ARRAY[1, 2] AS list", #"[{"list":[1,2],"nothing":null,"pair":"(1,a)"}]"#),
    ])
    func shapes(query: String, expected: String) throws {
        #expect(JSONValue.array(try rows(query)).serialized() == expected, "\(query)")
    }
}
