import SQLite
import Testing

@Suite("SQLite parameters")
struct SQLiteParameterTests {
    @Test("$n placeholders bind by number, in any order, and a reused $n gets the same value")
    func dollarPlaceholders() throws {
        let database = try SQLiteTestDatabase()
        let connection = try database.connect()
        let row = try #require(connection.query("SELECT $2, $1, $1 + $1, $2 || $2", [.integer(21), .text("ab")]).first)
        #expect(row.values == [.text("ab"), .integer(21), .integer(42), .text("abab")])
    }

    @Test("$10 and $1 are different placeholders")
    func multiDigitPlaceholders() throws {
        let database = try SQLiteTestDatabase()
        let connection = try database.connect()
        let parameters = (1...10).map { SQLiteValue.integer(Int64($0)) }
        let row = try #require(connection.query("SELECT $10, $1, $2, $3 + $4 + $5 + $6 + $7 + $8 + $9", parameters).first)
        #expect(row.values == [.integer(10), .integer(1), .integer(2), .integer(42)])
    }

    @Test("plain ? placeholders bind in order")
    func questionMarks() throws {
        let database = try SQLiteTestDatabase()
        let connection = try database.connect()
        let row = try #require(connection.query("SELECT ?, ?", [.text("a"), .null]).first)
        #expect(row.values == [.text("a"), .null])
    }

    @Test("a wrong number of parameters is a misuse error, not a crash")
    func wrongCount() throws {
        let database = try SQLiteTestDatabase()
        let connection = try database.connect()
        for parameters: [SQLiteValue] in [[], [.integer(1)], [.integer(1), .integer(2), .integer(3)]] {
            let error = #expect(throws: SQLiteError.self) {
                try connection.query("SELECT $1, $2", parameters)
            }
            #expect(error?.code == .misuse)
        }
        // A gap in the numbering cannot be bound either.
        let error = #expect(throws: SQLiteError.self) {
            try connection.query("SELECT $1, $3", [.integer(1), .integer(2)])
        }
        #expect(error?.code == .misuse)
        // The cached statement still works with the right parameters afterwards.
        #expect(try connection.query("SELECT $1, $2", [.integer(1), .integer(2)]).first?.values == [.integer(1), .integer(2)])
    }

    @Test("query refuses SQL with two statements or none")
    func statementCount() throws {
        let database = try SQLiteTestDatabase()
        let connection = try database.connect()
        #expect(throws: SQLiteError.self) { try connection.query("SELECT 1; SELECT 2") }
        #expect(throws: SQLiteError.self) { try connection.query("   ") }
        #expect(try connection.query("SELECT 1; -- a trailing comment\n").count == 1)
    }

    @Test("a cached statement returns fresh results after the data and the schema change")
    func statementCache() throws {
        let database = try SQLiteTestDatabase()
        let connection = try database.connect()
        try connection.execute("CREATE TABLE t (a INTEGER)")
        let count = "SELECT count(*) FROM t WHERE a > $1"
        for expected in 0..<50 {
            #expect(try connection.query(count, [.integer(0)]).first?.int(0) == Int64(expected))
            try connection.run("INSERT INTO t (a) VALUES ($1)", [.integer(Int64(expected + 1))])
        }
        #expect(try connection.query(count, [.integer(25)]).first?.int(0) == 25)
        #expect(try connection.query("SELECT * FROM t LIMIT 1").first?.columns == ["a"])
        try connection.execute("ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'x'")
        #expect(try connection.query("SELECT * FROM t LIMIT 1").first?.columns == ["a", "b"])
    }
}
