import SQLite
import Testing

@Suite("SQLite errors")
struct SQLiteErrorTests {
    @Test("a UNIQUE violation is a constraint error with SQLite's extended code")
    func uniqueViolation() throws {
        let database = try SQLiteTestDatabase()
        let connection = try database.connect()
        try connection.execute("CREATE TABLE users (email TEXT UNIQUE NOT NULL)")
        try connection.run("INSERT INTO users VALUES ($1)", [.text("a@example.com")])
        let error = #expect(throws: SQLiteError.self) {
            try connection.run("INSERT INTO users VALUES ($1)", [.text("a@example.com")])
        }
        #expect(error?.isConstraintViolation == true)
        #expect(error?.code == .constraint)
        #expect(error?.resultCode == 2067) // SQLITE_CONSTRAINT_UNIQUE
        #expect(error?.isBusy == false)
        let notNull = #expect(throws: SQLiteError.self) { try connection.run("INSERT INTO users VALUES (NULL)") }
        #expect(notNull?.resultCode == 1299) // SQLITE_CONSTRAINT_NOTNULL
    }

    @Test("an error's description holds neither the SQL nor parameter values; debugDescription has the message")
    func descriptionIsGeneric() throws {
        let database = try SQLiteTestDatabase()
        let connection = try database.connect()
        try connection.execute("CREATE TABLE secrets_table (token TEXT UNIQUE)")
        try connection.run("INSERT INTO secrets_table VALUES ($1)", [.text("tok-12345-private")])
        let constraint = try #require(#expect(throws: SQLiteError.self) {
            try connection.run("INSERT INTO secrets_table VALUES ($1)", [.text("tok-12345-private")])
        })
        let syntax = try #require(#expect(throws: SQLiteError.self) {
            try connection.query("SELEKT password_column FROM secrets_table WHERE token = $1", [.text("tok-12345-private")])
        })
        for error in [constraint, syntax] {
            for secret in ["tok-12345", "secrets_table", "password_column", "SELEKT", "INSERT"] {
                #expect(!error.description.contains(secret))
                #expect(!"\(error)".contains(secret))
            }
        }
        #expect(syntax.code == .error)
        #expect(syntax.debugDescription.contains("syntax error"))
        #expect(constraint.debugDescription.contains("UNIQUE constraint failed"))
    }

    @Test("opening a file in a folder that does not exist fails with cantOpen")
    func cantOpen() throws {
        let database = try SQLiteTestDatabase()
        let error = #expect(throws: SQLiteError.self) {
            try SQLiteConnection(path: "\(database.directory)/missing/folder/db.sqlite")
        }
        #expect(error?.code == .cantOpen)
    }
}
