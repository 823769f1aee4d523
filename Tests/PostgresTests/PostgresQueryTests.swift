import Postgres
import TestSupport
import Testing

@Suite("PostgreSQL connections and queries")
struct PostgresQueryTests {
    @Test("connects with a URI and with a key=value string, as pgassist, in UTF8")
    func connectBothForms() throws {
        let server = try PostgresServer.shared()
        let url = try server.createDatabase()
        let byURI = try PostgresConnection(connectionString: url)
        let database = try #require(byURI.query("SELECT current_database()").string(0, 0))
        let byKeywords = try PostgresConnection(
            connectionString: "host=127.0.0.1 port=\(server.port) user=postgres dbname=\(database)",
            applicationName: "pgassist-test")
        for connection in [byURI, byKeywords] {
            #expect(connection.isConnected)
            #expect(connection.serverVersion >= 100000)
            #expect(try connection.query("SHOW client_encoding").string(0, 0) == "UTF8")
        }
        #expect(try byURI.query("SHOW application_name").string(0, 0) == "pgassist")
        #expect(try byKeywords.query("SHOW application_name").string(0, 0) == "pgassist-test")
        #expect(try byKeywords.query("SELECT current_database()").string(0, 0) == database)
    }

    @Test("a parameter is bound as text and the server infers its type")
    func parameter() throws {
        let connection = try PostgresConnection(connectionString: PostgresServer.shared().createDatabase())
        let result = try connection.query("SELECT $1::int + 1 AS answer", ["41"])
        #expect(result.count == 1)
        #expect(result.int(0, 0) == 42)
        #expect(result[0, "answer"] == "42")
        #expect(result.columns == [PostgresColumn(name: "answer", typeOID: 23)])
        let text = "héllo 日本 🧪"
        #expect(try connection.query("SELECT $1::text, length($1::text)", [text]).rows == [[text, "10"]])
    }

    @Test("NULL goes in as a nil parameter and comes out as nil")
    func nulls() throws {
        let connection = try PostgresConnection(connectionString: PostgresServer.shared().createDatabase())
        let result = try connection.query("SELECT $1::text IS NULL, $1::text, NULL::int, ''::text", [nil])
        #expect(result.bool(0, 0) == true)
        #expect(result.string(0, 1) == nil)
        #expect(result.int(0, 2) == nil)
        #expect(result.string(0, 3) == "")
    }

    @Test("execute runs several statements; query reports affected rows and the command tag")
    func multiStatement() throws {
        let connection = try PostgresConnection(connectionString: PostgresServer.shared().createDatabase())
        try connection.execute("""
            CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL);
            INSERT INTO items (name) VALUES ('a'), ('b'), ('c');
            UPDATE items SET name = upper(name) WHERE name <> 'b';
            """)
        let rows = try connection.query("SELECT id, name FROM items ORDER BY id")
        #expect(rows.rows == [["1", "A"], ["2", "b"], ["3", "C"]])
        #expect(rows.columns.map(\.name) == ["id", "name"])
        let update = try connection.query("UPDATE items SET name = $1 WHERE id > $2", ["z", "1"])
        #expect(update.affectedRows == 2)
        #expect(update.commandTag == "UPDATE 2")
        #expect(update.count == 0)
    }

    @Test("query refuses two statements with a libpq error")
    func queryRefusesTwoStatements() throws {
        let connection = try PostgresConnection(connectionString: PostgresServer.shared().createDatabase())
        let error = #expect(throws: PostgresError.self) {
            try connection.query("SELECT 1; SELECT 2")
        }
        #expect(error?.code == .queryFailed)
        #expect(error?.message.contains("multiple commands") == true)
        #expect(connection.isConnected)
        #expect(try connection.query("SELECT 1").int(0, 0) == 1)
    }
}
