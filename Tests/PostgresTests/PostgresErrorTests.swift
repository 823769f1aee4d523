import Postgres
import TestSupport
import Testing

@Suite("PostgreSQL errors")
struct PostgresErrorTests {
    @Test("a syntax error carries SQLSTATE 42601 and the position of the error")
    func syntaxError() throws {
        let connection = try PostgresConnection(connectionString: PostgresServer.shared().createDatabase())
        let error = try #require(#expect(throws: PostgresError.self) {
            try connection.query("SELECT 1 FROMM nowhere")
        })
        #expect(error.code == .queryFailed)
        #expect(error.sqlState == "42601")
        // `FROMM` parses as a column alias, so the error is at `nowhere`, character 16.
        #expect(error.position == 16)
        #expect(error.message.contains("syntax error"))
        #expect(!error.isConnectionError)
        #expect(connection.isConnected)
    }

    @Test("a duplicate key is a unique violation, and the description leaks no values")
    func uniqueViolation() throws {
        let connection = try PostgresConnection(connectionString: PostgresServer.shared().createDatabase())
        try connection.execute("CREATE TABLE users (email text PRIMARY KEY)")
        _ = try connection.query("INSERT INTO users VALUES ($1)", ["private@example.com"])
        let error = try #require(#expect(throws: PostgresError.self) {
            try connection.query("INSERT INTO users VALUES ($1)", ["private@example.com"])
        })
        #expect(error.isUniqueViolation)
        #expect(!error.isSerializationFailure)
        #expect(error.detail?.contains("private@example.com") == true)
        #expect(!error.description.contains("private@example.com"))
        #expect(!error.description.contains("users"))
        #expect(error.description.contains("23505"))
    }

    @Test("connecting to a closed port fails with connectionFailed and returns")
    func connectionRefused() throws {
        let port = try freeTCPPort()
        let error = #expect(throws: PostgresError.self) {
            try PostgresConnection(connectionString: "postgresql://postgres@127.0.0.1:\(port)/postgres",
                                   connectTimeoutSeconds: 2)
        }
        #expect(error?.code == .connectionFailed)
        #expect(error?.isConnectionError == true)
    }

    @Test("a connection error never shows the password from the connection string")
    func passwordIsNotShown() throws {
        let port = try freeTCPPort()
        let strings = [
            "postgresql://postgres:s3cretPW@127.0.0.1:\(port)/x",
            "host=127.0.0.1 port=\(port) user=postgres password=s3cretPW dbname=x",
            "host=127.0.0.1 password=s3cretPW bogus",
            "postgresql://postgres:s3cretPW@127.0.0.1:\(port)/x?nonsense_option=1",
        ]
        for string in strings {
            let error = try #require(#expect(throws: PostgresError.self) {
                try PostgresConnection(connectionString: string, connectTimeoutSeconds: 2)
            })
            #expect(error.code == .connectionFailed)
            for text in [error.description, error.debugDescription, error.message, "\(error)"] {
                #expect(!text.contains("s3cretPW"))
            }
        }
    }

    @Test("a wrong password from the server is reported without the password")
    func wrongPasswordIsNotShown() throws {
        let server = try PostgresServer.shared()
        let url = try server.createDatabase()
        let admin = try PostgresConnection(connectionString: url)
        // The test cluster trusts every local connection, so only a missing role can fail login.
        let error = try #require(#expect(throws: PostgresError.self) {
            try PostgresConnection(connectionString: "postgresql://nobody_here:s3cretPW@127.0.0.1:\(server.port)/postgres")
        })
        #expect(error.code == .connectionFailed)
        #expect(!error.debugDescription.contains("s3cretPW"))
        #expect(admin.isConnected)
    }

    @Test("a terminated backend gives connectionLost, and reset reconnects")
    func terminatedBackend() throws {
        let url = try PostgresServer.shared().createDatabase()
        let victim = try PostgresConnection(connectionString: url)
        let killer = try PostgresConnection(connectionString: url)
        let pid = try #require(victim.query("SELECT pg_backend_pid()").int(0, 0))
        #expect(Int(pid) == victim.backendProcessID)
        #expect(try killer.query("SELECT pg_terminate_backend($1::int, 5000)", [String(pid)]).bool(0, 0) == true)
        let error = try #require(#expect(throws: PostgresError.self) {
            try victim.query("SELECT 1")
        })
        #expect(error.code == .connectionLost)
        #expect(error.isConnectionError)
        #expect(!victim.isConnected)
        try victim.reset()
        #expect(victim.isConnected)
        #expect(try victim.query("SELECT 1").int(0, 0) == 1)
        #expect(victim.backendProcessID != Int(pid))
    }

    @Test("text with a NUL character is refused before it reaches libpq")
    func nulCharacter() throws {
        let connection = try PostgresConnection(connectionString: PostgresServer.shared().createDatabase())
        let error = #expect(throws: PostgresError.self) {
            try connection.query("SELECT $1::text", ["a\u{0}b"])
        }
        #expect(error?.code == .invalidArgument)
    }
}
