import Postgres
import TestSupport
import Testing

@Suite("PostgreSQL transactions")
struct PostgresTransactionTests {
    struct BodyFailed: Error, Equatable { let reason: String }

    private func connectionWithTable() throws -> PostgresConnection {
        let connection = try PostgresConnection(connectionString: PostgresServer.shared().createDatabase())
        try connection.execute("CREATE TABLE t (a int PRIMARY KEY)")
        return connection
    }

    private func values(_ connection: PostgresConnection) throws -> [Int64?] {
        try connection.query("SELECT a FROM t ORDER BY a").rows.map { $0[0].flatMap { Int64($0) } }
    }

    @Test("a transaction commits what its body did")
    func commit() throws {
        let connection = try connectionWithTable()
        let count = try connection.transaction {
            try connection.query("INSERT INTO t VALUES (1), (2)").affectedRows
        }
        #expect(count == 2)
        #expect(!connection.isInTransaction)
        #expect(try values(connection) == [1, 2])
    }

    @Test("a body that throws rolls back and its error comes out unchanged")
    func rollback() throws {
        let connection = try connectionWithTable()
        #expect(throws: BodyFailed(reason: "on purpose")) {
            try connection.transaction {
                _ = try connection.query("INSERT INTO t VALUES (1)")
                throw BodyFailed(reason: "on purpose")
            }
        }
        #expect(!connection.isInTransaction)
        #expect(try values(connection) == [])
    }

    @Test("a nested transaction that throws undoes only its own work")
    func nested() throws {
        let connection = try connectionWithTable()
        try connection.transaction {
            _ = try connection.query("INSERT INTO t VALUES (1)")
            let error = #expect(throws: PostgresError.self) {
                try connection.transaction {
                    _ = try connection.query("INSERT INTO t VALUES (2)")
                    _ = try connection.query("INSERT INTO t VALUES (1)")
                }
            }
            #expect(error?.isUniqueViolation == true)
            _ = try connection.query("INSERT INTO t VALUES (3)")
        }
        #expect(try values(connection) == [1, 3])
    }

    @Test("a body that swallows a failed statement cannot commit")
    func swallowedFailure() throws {
        let connection = try connectionWithTable()
        let error = #expect(throws: PostgresError.self) {
            try connection.transaction {
                _ = try connection.query("INSERT INTO t VALUES (1)")
                _ = try? connection.query("INSERT INTO t VALUES (1)")
            }
        }
        #expect(error?.sqlState == "25P02")
        #expect(!connection.isInTransaction)
        #expect(try values(connection) == [])
    }
}
