import ChatEngine
import JSON
import Policies
import Store
import Testing

@Suite("Redaction of secrets in audit arguments and logs")
struct RedactionTests {
    private let mask = Redaction.mask

    @Test("a URI's password is hidden, the user, host and database kept")
    func uriPassword() {
        #expect(Redaction.text("postgresql://alice:s3cret@db.example.com:5432/app?sslmode=require")
                == "postgresql://alice:\(mask)@db.example.com:5432/app?sslmode=require")
        #expect(Redaction.text("postgres://:only-pw@localhost/db") == "postgres://:\(mask)@localhost/db")
        #expect(Redaction.text("mysql://root:toor@10.0.0.1") == "mysql://root:\(mask)@10.0.0.1")
    }

    @Test("a password holding '@' or '/' is hidden whole")
    func awkwardPasswords() {
        #expect(Redaction.text("postgres://u:p@ss/w0rd@host/db") == "postgres://u:\(mask)@host/db")
        #expect(!Redaction.text("postgres://u:p@ss/w0rd@host/db").contains("ss/w0rd"))
    }

    @Test("a connection string inside prose or SQL keeps its quotes and surroundings")
    func embedded() {
        #expect(Redaction.text(#"connect to "postgres://u:pw@h/db" please"#) == #"connect to "postgres://u:\#(mask)@h/db" please"#)
        #expect(Redaction.text("SELECT dblink_connect('postgresql://app:pw@remote/x')")
                == "SELECT dblink_connect('postgresql://app:\(mask)@remote/x')")
    }

    @Test("URIs without a password are unchanged")
    func uriWithoutPassword() {
        for text in ["postgres://host:5432/db", "postgresql://alice@host/db", "https://example.com/a:b", "see https://x.org/?q=a@b"] {
            #expect(Redaction.text(text) == text)
        }
    }

    @Test("password= in key=value strings, any case and key ending, quoted or not")
    func keyValue() {
        #expect(Redaction.text("host=db port=5432 password=hunter2 user=app") == "host=db port=5432 password=\(mask) user=app")
        #expect(Redaction.text(#"password='a b\' c' dbname=x"#) == "password='\(mask)' dbname=x")
        #expect(Redaction.text("PASSWORD = 'x y' host=h") == "PASSWORD = '\(mask)' host=h")
        #expect(Redaction.text("sslpassword=key1 passwd=p2") == "sslpassword=\(mask) passwd=\(mask)")
        #expect(Redaction.text("PGPASSWORD=abc psql") == "PGPASSWORD=\(mask) psql")
        #expect(Redaction.text("postgres://h/db?user=u&password=pw") == "postgres://h/db?user=u&password=\(mask)")
    }

    @Test("SQL's PASSWORD 'literal' is hidden, escaped quotes included")
    func sqlPassword() {
        #expect(Redaction.text("ALTER ROLE app WITH PASSWORD 'hunter2'") == "ALTER ROLE app WITH PASSWORD '\(mask)'")
        #expect(Redaction.text("create role r login encrypted password 'it''s secret' valid until 'infinity'")
                == "create role r login encrypted password '\(mask)' valid until 'infinity'")
    }

    @Test("text without secrets is unchanged")
    func harmless() {
        for text in ["SELECT passenger, password_hint FROM trips", "password reset needed", "a = b", "", "naïve café ☕️ = 3",
                     "ALTER ROLE r PASSWORD NULL"] {
            #expect(Redaction.text(text) == text)
        }
    }

    @Test("JSON: strings redacted at any depth, secret-named members masked, other values kept")
    func json() throws {
        let value = try JSONValue.parse("""
            {"query": "select 1", "db": {"url": "postgres://a:b@c/d", "port": 5432, "password": "x", "ssl": true},
             "list": ["password=1 host=h", null], "clientSecret": "abc", "Password": null}
            """)
        let redacted = Redaction.json(value)
        #expect(redacted["query"] == .string("select 1"))
        #expect(redacted["db"]?["url"] == .string("postgres://a:\(mask)@c/d"))
        #expect(redacted["db"]?["port"] == .number(5432))
        #expect(redacted["db"]?["password"] == .string(mask))
        #expect(redacted["db"]?["ssl"] == .bool(true))
        #expect(redacted["list"] == .array([.string("password=\(mask) host=h"), .null]))
        #expect(redacted["clientSecret"] == .string(mask))
        #expect(redacted["Password"] == .null)
    }

    @Test("strings longer than 2000 characters are truncated with a marker")
    func truncation() {
        let long = String(repeating: "é", count: 2_500)
        let cut = Redaction.truncated(long)
        #expect(cut == String(repeating: "é", count: 2_000) + Redaction.truncationMarker)
        let exact = String(repeating: "a", count: 2_000)
        #expect(Redaction.truncated(exact) == exact)
        let inJSON = Redaction.json(.object(["query": .string(long)]))
        #expect(inJSON["query"]?.stringValue?.hasSuffix(Redaction.truncationMarker) == true)
    }

    @Test("arguments: JSON is redacted and re-serialized, other text treated as one string")
    func arguments() {
        #expect(Redaction.arguments(#"{"table": "t", "db": "host=h password=pw"}"#)
                == #"{"db":"host=h password=\#(mask)","table":"t"}"#)
        #expect(Redaction.arguments("{not json password=pw") == "{not json password=\(mask)")
        #expect(Redaction.arguments(String(repeating: "x", count: 3_000)).count == 2_000 + Redaction.truncationMarker.count)
    }
}
