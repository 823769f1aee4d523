import SQLite
import Testing

@Suite("SQLite transactions and locking")
struct SQLiteTransactionTests {
    struct BodyFailed: Error, Equatable { let reason: String }

    @Test("a transaction commits what its body did")
    func commit() throws {
        let database = try SQLiteTestDatabase()
        let connection = try database.connect()
        try connection.execute("CREATE TABLE t (a INTEGER)")
        let inserted = try connection.transaction {
            try connection.run("INSERT INTO t VALUES (1), (2)")
        }
        #expect(inserted == 2)
        #expect(!connection.isInTransaction)
        #expect(try connection.query("SELECT count(*) FROM t").first?.int(0) == 2)
    }

    @Test("a body that throws rolls the transaction back and its error comes out unchanged")
    func rollback() throws {
        let database = try SQLiteTestDatabase()
        let connection = try database.connect()
        try connection.execute("CREATE TABLE t (a INTEGER)")
        #expect(throws: BodyFailed(reason: "on purpose")) {
            try connection.transaction(immediate: false) {
                try connection.run("INSERT INTO t VALUES (1)")
                throw BodyFailed(reason: "on purpose")
            }
        }
        #expect(!connection.isInTransaction)
        #expect(try connection.query("SELECT count(*) FROM t").first?.int(0) == 0)
    }

    @Test("a nested transaction that throws undoes only its own work")
    func nestedRollback() throws {
        let database = try SQLiteTestDatabase()
        let connection = try database.connect()
        try connection.execute("CREATE TABLE t (a INTEGER)")
        try connection.transaction {
            try connection.run("INSERT INTO t VALUES (1)")
            #expect(throws: BodyFailed.self) {
                try connection.transaction {
                    try connection.run("INSERT INTO t VALUES (2)")
                    throw BodyFailed(reason: "inner")
                }
            }
            try connection.transaction { try connection.run("INSERT INTO t VALUES (3)") }
        }
        #expect(try connection.query("SELECT a FROM t ORDER BY a").map { $0.int(0) } == [1, 3])
    }

    @Test("two connections on one WAL database see each other's commits")
    func walVisibility() throws {
        let database = try SQLiteTestDatabase()
        let first = try database.connect()
        #expect(try first.query("PRAGMA journal_mode=WAL").first?.string(0) == "wal")
        try first.execute("CREATE TABLE t (a INTEGER)")
        let second = try database.connect()
        try first.run("INSERT INTO t VALUES (1)")
        #expect(try second.query("SELECT sum(a) FROM t").first?.int(0) == 1)
        try second.transaction { try second.run("INSERT INTO t VALUES (10)") }
        #expect(try first.query("SELECT sum(a) FROM t").first?.int(0) == 11)
    }

    @Test("BEGIN IMMEDIATE while another connection holds the write lock fails with isBusy after the timeout")
    func busy() throws {
        let database = try SQLiteTestDatabase()
        let holder = try database.connect()
        try holder.execute("PRAGMA journal_mode=WAL; CREATE TABLE t (a INTEGER);")
        let waiter = try database.connect(busyTimeoutMilliseconds: 50)
        try holder.execute("BEGIN IMMEDIATE")
        let error = #expect(throws: SQLiteError.self) {
            try waiter.transaction { try waiter.run("INSERT INTO t VALUES (1)") }
        }
        #expect(error?.isBusy == true)
        #expect(error?.code == .busy)
        #expect(!waiter.isInTransaction)
        try holder.execute("COMMIT")
        try waiter.transaction { try waiter.run("INSERT INTO t VALUES (1)") }
        #expect(try holder.query("SELECT count(*) FROM t").first?.int(0) == 1)
    }
}
