import JSON
import PgQuery
import SQLGuard
import Testing

/// The libpg_query wrapper: the tree's shape, errors, limits, and safety under load.
@Suite("libpg_query wrapper")
struct PgQueryTests {
    @Test("a query parses into libpg_query's JSON with PostgreSQL 15 node names")
    func treeShape() throws {
        let tree = try PgQuery.parse("SELECT 1")
        #expect(tree["version"]?.intValue == 150001)
        let statements = try #require(tree["stmts"]?.arrayValue)
        #expect(statements.count == 1)
        let target = statements[0]["stmt"]?["SelectStmt"]?["targetList"]?.arrayValue?.first
        #expect(target?["ResTarget"]?["val"]?["A_Const"]?["ival"]?["ival"]?.intValue == 1)
        #expect(target?["ResTarget"]?["location"]?.intValue == 7)
    }

    @Test("empty and comment-only input is zero statements")
    func noStatements() throws {
        for sql in ["", "  ", "-- c", "/* a /* b */ c */"] {
            #expect(try PgQuery.parse(sql)["stmts"]?.arrayValue == [], "\(sql)")
        }
    }

    @Test("string constants come back exactly, whatever characters they hold")
    func stringConstants() throws {
        let text = "quote \" backslash \\ tab \t control \u{01} é 日本 🧪 <&> ;DROP"
        let literal = "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        let tree = try PgQuery.parse("SELECT " + literal)
        let constant = tree["stmts"]?.arrayValue?.first?["stmt"]?["SelectStmt"]?["targetList"]?.arrayValue?.first?["ResTarget"]?["val"]?["A_Const"]
        #expect(constant?["sval"]?["sval"]?.stringValue == text)
    }

    @Test("a syntax error carries PostgreSQL's message and a 1-based character position")
    func syntaxError() {
        #expect(throws: PgQueryError(message: "syntax error at end of input", cursorPosition: 11)) {
            try PgQuery.parse("SELECT 1 +")
        }
        #expect(throws: PgQueryError(message: "syntax error at or near \"FROM\"", cursorPosition: 17)) {
            try PgQuery.parse("SELECT 'é' FROM FROM t")
        }
    }

    @Test("a NUL character is refused before parsing, with its position")
    func nulCharacter() {
        #expect(throws: PgQueryError(message: "the query contains a NUL character", cursorPosition: 10)) {
            try PgQuery.parse("SELECT 1;\u{0} DROP TABLE t")
        }
        #expect(ReadOnlyGuard().check("SELECT 1\u{0}").refusal?.isParseError == true)
    }

    @Test("a query longer than the limit is refused")
    func tooLong() {
        let sql = "SELECT 1" + String(repeating: " ", count: PgQuery.maximumQueryLength)
        #expect(throws: PgQueryError.self) { try PgQuery.parse(sql) }
        #expect(ReadOnlyGuard().check(sql).refusal?.reason == .parseError)
    }

    @Test("a very deep expression is refused instead of overflowing a stack")
    func deepExpression() {
        let sql = "SELECT " + Array(repeating: "1", count: 200_000).joined(separator: "+")
        #expect(throws: PgQueryError.self) { try PgQuery.parse(sql) }
        let refusal = ReadOnlyGuard().check(sql).refusal
        #expect(refusal?.isParseError == true)
        #expect(refusal?.message.contains("nested too deeply") == true)
    }

    @Test("a long but reasonable expression is fine")
    func longExpression() {
        let sum = (1...400).map { "c\($0)" }.joined(separator: " + ")
        #expect(ReadOnlyGuard().check("SELECT \(sum) FROM t") == .allowed(.select))
        let list = (1...5000).map(String.init).joined(separator: ", ")
        #expect(ReadOnlyGuard().check("SELECT * FROM t WHERE id IN (\(list))") == .allowed(.select))
    }

    @Test("a long query, parsed on its own thread, is checked like a short one")
    func longQueryRefusal() {
        let sql = "SELECT " + String(repeating: "1, ", count: 3000) + "pg_sleep(1)"
        #expect(ReadOnlyGuard().check(sql).refusal?.position == 9008)
        #expect(ReadOnlyGuard().check(sql).refusal?.reason == .functionNotAllowed)
    }

    @Test("many threads can parse and check at once")
    func concurrentUse() async {
        let guardian = ReadOnlyGuard()
        let queries: [(String, Bool)] = [
            ("SELECT count(*) FROM t WHERE a > 1", true),
            ("SELECT pg_sleep(1)", false),
            ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", false),
            ("EXPLAIN SELECT lower(name) FROM users", true),
            ("SELECT 'x' FROM FROM", false),
        ]
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for task in 0..<16 {
                group.addTask {
                    var mismatches = 0
                    for round in 0..<100 {
                        let (sql, allowed) = queries[(task + round) % queries.count]
                        if (guardian.check(sql).refusal == nil) != allowed { mismatches += 1 }
                    }
                    return mismatches
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }
}
