import SQLite
import Testing

@Suite("SQLite values")
struct SQLiteValueTests {
    @Test("every kind of value round-trips through a column unchanged")
    func roundTrip() throws {
        let database = try SQLiteTestDatabase()
        let connection = try database.connect()
        try connection.execute("CREATE TABLE v (id INTEGER PRIMARY KEY, x ANY) STRICT")
        let values: [SQLiteValue] = [
            .null, .integer(0), .integer(.max), .integer(.min), .real(3.25), .real(-1e300), .real(.pi),
            .text(""), .text("plain"), .text("héllo wörld, 日本語, emoji 🧪🚀, RTL עברית"),
            .blob([]), .blob([0, 1, 2, 0, 255, 254]), .blob(Array(repeating: 0xAB, count: 100_000)),
        ]
        for (id, value) in values.enumerated() {
            try connection.run("INSERT INTO v (id, x) VALUES ($1, $2)", [.integer(Int64(id)), value])
        }
        let rows = try connection.query("SELECT x FROM v ORDER BY id")
        #expect(rows.map { $0[0] } == values)
    }

    @Test("rows expose values by index, by column name and through typed accessors")
    func rowAccess() throws {
        let database = try SQLiteTestDatabase()
        let connection = try database.connect()
        let row = try #require(connection.query("SELECT 7 AS n, 'seven' AS s, 7.5 AS d, x'0102' AS b, NULL AS z").first)
        #expect(row.columns == ["n", "s", "d", "b", "z"])
        #expect(row.int(0) == 7)
        #expect(row.string(1) == "seven")
        #expect(row.double(2) == 7.5)
        #expect(row.bytes(3) == [1, 2])
        #expect(row["z"] == .null)
        #expect(row["s"] == .text("seven"))
        #expect(row["missing"] == nil)
        #expect(row.int(1) == nil)
        #expect(row.string(0) == nil)
    }

    @Test("run returns the number of changed rows and lastInsertRowID the new rowid")
    func changesAndRowID() throws {
        let database = try SQLiteTestDatabase()
        let connection = try database.connect()
        try connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER); INSERT INTO t (n) VALUES (1), (2), (3);")
        #expect(connection.lastInsertRowID == 3)
        #expect(try connection.run("INSERT INTO t (n) VALUES ($1)", [.integer(4)]) == 1)
        #expect(connection.lastInsertRowID == 4)
        #expect(try connection.run("UPDATE t SET n = n + 1 WHERE n >= $1", [.integer(2)]) == 3)
        #expect(try connection.run("DELETE FROM t") == 4)
    }
}
