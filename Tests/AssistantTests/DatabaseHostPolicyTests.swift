import AssistantHTTP
import ChatEngine
import HTTP
import Operations
import Platform
import Policies
import Postgres
import Store
import Testing

@Suite("Database host policy for connection strings from requests")
struct DatabaseHostPolicyTests {
    private let policy = DatabaseHostPolicy(allowsRequestConnectionStrings: true)

    private func refusal(_ connectionString: String, by policy: DatabaseHostPolicy? = nil) -> DatabaseHostError? {
        do {
            try (policy ?? self.policy).check(connectionString)
            return nil
        } catch {
            return error
        }
    }

    private func address(_ text: String) -> DatabaseTarget { .address(IPAddress(text)!) }

    /// The default list with Unix sockets and port 5433 on loopback added, as an operator would opt in.
    private let optedIn = DatabaseHostPolicy(allowsRequestConnectionStrings: true, allowedHosts: try! AllowedDatabaseHosts(
        list: "localhost,127.0.0.0/8,::1,unix,localhost:5433,127.0.0.0/8:5433"))

    @Test("loopback on the PostgreSQL port passes the default list, in URI and key=value spellings", arguments: [
        "postgresql://127.0.0.1/db", "postgres://user:pw@localhost:5432/db", "postgresql://LOCALHOST/db",
        "postgresql://[::1]:5432/db", "host=::1 dbname=db", "host=127.0.0.53", "hostaddr=127.0.0.1 host=db.example.com",
        "postgresql://user@localhost/db?sslmode=disable", "host=::ffff:127.0.0.1",
        "host=localhost port=''", "host=localhost,127.0.0.2 port=5432,",
    ])
    func allowed(connectionString: String) {
        #expect(refusal(connectionString) == nil)
    }

    @Test("Unix sockets are refused by default and pass once ALLOWED_DB_HOSTS lists unix", arguments: [
        "host=/var/run/postgresql", "postgres://%2Ftmp/db", "postgresql:///db", "postgresql://", "host='' dbname=x",
        "host=@abstract", "host=/tmp port=5432", "dbname='host=evil.com'",
    ])
    func unixSockets(connectionString: String) {
        #expect(refusal(connectionString)?.code == .hostNotAllowed)
        #expect(refusal(connectionString, by: optedIn) == nil)
    }

    @Test("another port than 5432 is refused unless its entry names it", arguments: [
        "postgresql://127.0.0.1:5433/db", "host=localhost port=22", "host=127.0.0.1 port=6379", "postgresql://[::1]:5433/db",
        "host=localhost,127.0.0.2 port=5432,5433", "postgresql://localhost:5432,127.0.0.1:8080/db",
        "postgresql://localhost:5432,127.0.0.1:5432/db?port=6543",
    ])
    func otherPorts(connectionString: String) {
        let error = refusal(connectionString)
        #expect(error?.code == .hostNotAllowed, "\(connectionString)")
        #expect(error.map { APIError($0).status } == 403)
        #expect(error?.message.contains("not with port") == true, "\(error?.message ?? "")")
    }

    @Test("a host that is not on the list is refused, whatever the spelling", arguments: [
        "postgresql://evil.com/db", "postgresql://user@127.0.0.1@evil.com/db", "host=127.0.0.1,evil.com",
        "host=localhost hostaddr=10.0.0.5", "postgresql://localhost,evil.com/db", "postgresql:///db?host=evil.com",
        "postgresql://localhost/db?hostaddr=10.0.0.1", "host=10.0.0.1", "postgresql://[::2]/db",
        "postgresql://localhost./db", "host=' localhost'", "host=127.1", "hostaddr=127.1", "hostaddr=0x7f.0.0.1",
        "hostaddr=010.0.0.1", "postgresql://[fe80::1%25eth0]/db", "host=[::1]", "postgresql://%5B::1%5D/db",
        "postgresql://u:p@ss@localhost/db", "host=localhost,localhost hostaddr=127.0.0.1,10.9.9.9",
        "host=evil.com,localhost hostaddr=,127.0.0.1", "host=::ffff:10.0.0.1",
    ])
    func refused(connectionString: String) {
        let error = refusal(connectionString)
        #expect(error?.code == .hostNotAllowed)
        #expect(error.map { APIError($0).status } == 403)
    }

    @Test("libpq's own parser decides where each slot connects")
    func targets() throws {
        #expect(try policy.targets(of: "postgresql://user@127.0.0.1@evil.com/db") == [.hostName("127.0.0.1@evil.com")])
        #expect(try policy.targets(of: "postgres://%2Ftmp/db") == [.unixSocket(directory: "/tmp")])
        #expect(try policy.targets(of: "host=127.0.0.1,evil.com") == [address("127.0.0.1"), .hostName("evil.com")])
        #expect(try policy.targets(of: "host=localhost hostaddr=10.0.0.5") == [address("10.0.0.5")])
        #expect(try policy.targets(of: "postgresql://[::1]:5432/db") == [address("::1")])
        #expect(try policy.targets(of: "postgresql://localhost,evil.com/db") == [.hostName("localhost"), .hostName("evil.com")])
        #expect(try policy.targets(of: "host=/var/run/postgresql") == [.unixSocket(directory: "/var/run/postgresql")])
        #expect(try policy.targets(of: "host=@abstract") == [.unixSocket(directory: "@abstract")])
        #expect(try policy.targets(of: "postgresql:///db") == [.defaultUnixSocket])
        #expect(try policy.targets(of: "host=a,,/tmp") == [.hostName("a"), .defaultUnixSocket, .unixSocket(directory: "/tmp")])
        #expect(try policy.targets(of: "host=a,b hostaddr=,10.0.0.1") == [.hostName("a"), address("10.0.0.1")])
        #expect(try policy.targets(of: "host=::ffff:127.0.0.1") == [address("127.0.0.1")])
    }

    @Test("service definitions are refused: a service file could name any host", arguments: [
        "service=foo", "host=localhost service=foo", "postgresql://localhost/db?service=foo",
    ])
    func services(connectionString: String) {
        #expect(refusal(connectionString)?.code == .hostNotAllowed)
        // libpq 15 does not know `servicefile` (a parse error, 400); a later libpq does, and it is refused (403).
        #expect(refusal("host=localhost servicefile=/tmp/x") != nil)
    }

    @Test("libpq options that read the worker's files, use its credentials or change the session are 400, naming the keyword", arguments: [
        ("host=localhost sslcert=/etc/ssl/private/worker.crt", "sslcert"),
        ("host=localhost sslkey=/etc/ssl/private/worker.key", "sslkey"),
        ("postgresql://localhost/db?sslmode=verify-full&sslrootcert=/etc/shadow", "sslrootcert"),
        ("host=localhost sslcrl=/etc/shadow", "sslcrl"),
        ("host=localhost sslcrldir=/etc", "sslcrldir"),
        ("host=localhost passfile=/var/lib/pgassist/.pgpass", "passfile"),
        ("host=localhost password=hunter2 sslpassword=hunter3", "sslpassword"),
        ("host=localhost gssencmode=require", "gssencmode"),
        ("host=localhost krbsrvname=postgres", "krbsrvname"),
        ("host=localhost gsslib=gssapi", "gsslib"),
        ("host=localhost requirepeer=postgres", "requirepeer"),
        ("host=localhost replication=database", "replication"),
        ("postgresql://localhost/db?options=-c%20role%3Dpostgres", "options"),
        ("host=localhost options='-c default_transaction_read_only=off'", "options"),
        ("host=localhost sslkey=", "sslkey"),
    ])
    func refusedOptions(connectionString: String, keyword: String) {
        let error = refusal(connectionString)
        #expect(error?.code == .connectionOptionNotAllowed, "\(connectionString)")
        #expect(error.map { APIError($0).status } == 400)
        #expect(error?.message.contains("'\(keyword)'") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("/etc") == false, "option values are never echoed")
        #expect(error?.message.contains("hunter") == false)
        #expect(error.map { APIError($0).code.rawValue } == "connection_option_not_allowed")
    }

    @Test("where, as whom and how carefully to connect stay allowed", arguments: [
        "host=localhost port=5433 dbname=app user=app password=pw sslmode=require connect_timeout=3",
        "postgresql://app:pw@localhost:5432/app?sslmode=verify-full&application_name=x&target_session_attrs=read-write",
        "host=localhost keepalives=1 keepalives_idle=30 keepalives_interval=5 keepalives_count=3 tcp_user_timeout=1000",
        "host=localhost channel_binding=require ssl_min_protocol_version=TLSv1.2 sslsni=1 sslcompression=0",
        "hostaddr=127.0.0.1 fallback_application_name=y client_encoding=UTF8",
    ])
    func allowedOptions(connectionString: String) {
        #expect(refusal(connectionString, by: optedIn) == nil)
    }

    @Test("the string to connect with keeps the request's settings and pins the worker's password file and client certificate away")
    func confined() throws {
        let uri = try optedIn.check("postgresql://app:p%27w%5Cx@localhost:5433,127.0.0.1/shop?sslmode=require")
        let info = try ConnectionInfo(parsing: uri)
        #expect(info["host"] == "localhost,127.0.0.1")
        #expect(info["port"] == "5433,")
        #expect(info["dbname"] == "shop")
        #expect(info["user"] == "app")
        #expect(info["password"] == "p'w\\x")
        #expect(info["sslmode"] == "require")
        for keyword in ["passfile", "sslcert", "sslkey"] {
            #expect(info[keyword] == RequestConnectionOptions.missingFile, "\(keyword)")
        }
        // Without a password in the request, an empty one keeps PGPASSWORD out; without a port, 5432 keeps PGPORT out.
        let bare = try ConnectionInfo(parsing: policy.check("host=localhost user=app"))
        #expect(bare["password"] == "")
        #expect(bare["port"] == "5432")
        #expect(try ConnectionInfo(parsing: policy.check("host=localhost port=''"))["port"] == "")
    }

    @Test("PGHOST, PGHOSTADDR and PGSERVICE fill in what the string leaves out, as libpq does")
    func environment() throws {
        let withHost = DatabaseHostPolicy(allowsRequestConnectionStrings: true, libpqEnvironment: ["PGHOST": "evil.com"])
        #expect(try withHost.targets(of: "dbname=x") == [.hostName("evil.com")])
        #expect(refusal("dbname=x", by: withHost)?.code == .hostNotAllowed)
        #expect(refusal("host=localhost dbname=x", by: withHost) == nil)
        // An empty host in the string is set, so libpq does not look at PGHOST: the default socket.
        #expect(try withHost.targets(of: "host='' dbname=x") == [.defaultUnixSocket])

        let withAddress = DatabaseHostPolicy(allowsRequestConnectionStrings: true,
                                             libpqEnvironment: ["PGHOSTADDR": "10.0.0.5"])
        #expect(try withAddress.targets(of: "host=localhost") == [address("10.0.0.5")])
        #expect(refusal("host=localhost", by: withAddress)?.code == .hostNotAllowed)
        #expect(refusal("host=localhost hostaddr=127.0.0.1", by: withAddress) == nil)

        let withService = DatabaseHostPolicy(allowsRequestConnectionStrings: true, libpqEnvironment: ["PGSERVICE": "x"])
        #expect(refusal("host=localhost", by: withService)?.code == .hostNotAllowed)
        // Variables that cannot move the connection are ignored.
        let other = DatabaseHostPolicy(allowsRequestConnectionStrings: true, libpqEnvironment: ["PGPORT": "1", "HOME": "/"])
        #expect(other.libpqEnvironment.isEmpty)
    }

    @Test("empty, garbage and unparseable strings are 400 invalid_connection_string, without echoing them", arguments: [
        "", "   ", "garbage", "evil.com", "POSTGRESQL://evil.com", "host='unterminated", "postgresql://user:secret@[::1",
        "host=a,b,c hostaddr=127.0.0.1,127.0.0.2", "host=localhost\u{0}evil.com",
    ])
    func invalid(connectionString: String) {
        let error = refusal(connectionString)
        #expect(error?.code == .invalidConnectionString)
        #expect(error.map { APIError($0).status } == 400)
        #expect(error?.message.contains("secret") == false)
    }

    @Test("refusals never quote the string: a stray @ can put part of a password in the host")
    func noEcho() {
        let error = refusal("postgresql://user:hunter2@hunter3@evil.com/db")
        #expect(error?.code == .hostNotAllowed)
        #expect(error?.message.contains("hunter") == false)
        #expect(error?.message.contains("evil") == false)
        #expect(refusal("host=localhost,evil.com")?.message.contains("2 of 2") == true)
        let api = APIError(refusal("host=evil.com")!)
        #expect(api.status == 403)
        #expect(api.code.rawValue == "db_host_not_allowed")
    }

    @Test("when request connection strings are off, every string is 403 connection_string_not_allowed")
    func disabled() {
        let off = DatabaseHostPolicy(allowsRequestConnectionStrings: false)
        for text in ["postgresql://localhost/db", "host=/var/run/postgresql", "garbage"] {
            let error = refusal(text, by: off)
            #expect(error?.code == .connectionStringNotAllowed)
            #expect(error.map { APIError($0).status } == 403)
        }
        #expect(APIError(refusal("x", by: off)!).code.rawValue == "connection_string_not_allowed")
    }

    @Test("ALLOWED_DB_HOSTS takes names, addresses, CIDR ranges in both families, socket directories and unix")
    func allowList() throws {
        let hosts = try AllowedDatabaseHosts(list: " DB.internal , 10.0.0.0/8, 192.168.1.7, fd00:abcd::/32, 2001:db8::1, /var/run/postgresql/ ")
        let custom = DatabaseHostPolicy(allowsRequestConnectionStrings: true, allowedHosts: hosts)
        for text in ["host=db.INTERNAL", "host=10.255.0.1", "hostaddr=10.1.2.3 host=anything", "host=192.168.1.7",
                     "postgresql://[fd00:abcd:1::5]/db", "postgresql://[2001:db8::1]/db", "host=/var/run/postgresql",
                     "host=/var/run/postgresql/", "host=::ffff:10.0.0.9"] {
            #expect(refusal(text, by: custom) == nil, "\(text)")
        }
        for text in ["host=other.internal", "host=db.internal.evil.com", "host=11.0.0.1", "host=192.168.1.8",
                     "postgresql://[fd00:abce::1]/db", "postgresql://[2001:db8::2]/db", "host=/tmp", "postgresql:///db",
                     "host=localhost", "host=127.0.0.1", "host=@abstract"] {
            #expect(refusal(text, by: custom)?.code == .hostNotAllowed, "\(text)")
        }
        let unixOnly = DatabaseHostPolicy(allowsRequestConnectionStrings: true,
                                          allowedHosts: try AllowedDatabaseHosts(list: "unix"))
        #expect(refusal("postgresql:///db", by: unixOnly) == nil)
        #expect(refusal("host=/tmp", by: unixOnly) == nil)
        #expect(refusal("host=localhost", by: unixOnly)?.code == .hostNotAllowed)
    }

    @Test("CIDR ranges match by prefix and keep the families apart")
    func ranges() throws {
        let v6 = try #require(IPAddressRange("2001:db8::/33"))
        #expect(v6.contains(IPAddress("2001:db8:7fff::1")!))
        #expect(!v6.contains(IPAddress("2001:db8:8000::1")!))
        let v4 = try #require(IPAddressRange("172.16.5.4/12"))
        #expect(v4.description == "172.16.0.0/12")
        #expect(v4.contains(IPAddress("172.31.255.255")!))
        #expect(!v4.contains(IPAddress("172.32.0.0")!))
        #expect(!v4.contains(IPAddress("::ffff:ac20:1")!))
        #expect(IPAddressRange("0.0.0.0/0")!.contains(IPAddress("8.8.8.8")!))
        #expect(!IPAddressRange("0.0.0.0/0")!.contains(IPAddress("::1")!))
        #expect(IPAddressRange("::ffff:10.0.0.0/104")?.description == "10.0.0.0/8")
        for bad in ["10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8/8", "010.0.0.0/8", "10.0.0.0/ 8"] {
            #expect(IPAddressRange(bad) == nil, "\(bad)")
        }
    }

    @Test("a malformed ALLOWED_DB_HOSTS or ALLOW_REQUEST_CONNECTION_STRING stops the worker, naming the variable")
    func settings() throws {
        let defaults = try ProjectSettings(environment: [:])
        #expect(!defaults.allowsRequestConnectionStrings)
        #expect(defaults.allowedDatabaseHosts == .loopback)
        #expect(defaults.projectsFile == nil)

        let configured = try ProjectSettings(environment: [
            "ALLOW_REQUEST_CONNECTION_STRING": "1", "ALLOWED_DB_HOSTS": "db.internal,10.0.0.0/8",
            "PROJECTS_FILE": "/etc/pgassist/projects.json", "PGHOST": "h", "PGPASSWORD": "secret",
        ])
        #expect(configured.allowsRequestConnectionStrings)
        #expect(configured.projectsFile == "/etc/pgassist/projects.json")
        #expect(configured.libpqEnvironment == ["PGHOST": "h"])
        let policy = DatabaseHostPolicy(settings: configured)
        #expect(refusal("host=db.internal", by: policy) == nil)
        #expect(refusal("host=localhost", by: policy)?.code == .hostNotAllowed)

        for (name, value) in [("ALLOWED_DB_HOSTS", "db.internal, http://x"), ("ALLOWED_DB_HOSTS", "*"),
                              ("ALLOWED_DB_HOSTS", "10.0.0.0/40"), ("ALLOW_REQUEST_CONNECTION_STRING", "yes")] {
            let error = #expect(throws: ConfigurationError.self) { try ProjectSettings(environment: [name: value]) }
            #expect(error?.variable == name)
        }
        do {
            _ = try AllowedDatabaseHosts(list: "localhost,,postgres://u:hunter2@h")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("entry 3"))
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test("ALLOWED_DB_HOSTS entries take a port after a colon, IPv6 in brackets, * for every port")
    func entryPorts() throws {
        let hosts = try AllowedDatabaseHosts(list: "127.0.0.1:5432, db.internal:6543, [::1]:5433, [fd00::/8]:6432, "
                                                 + "10.0.0.0/8:7432, unix:5433, /run/pg:5434, any.internal:*, [::2]")
        let custom = DatabaseHostPolicy(allowsRequestConnectionStrings: true, allowedHosts: hosts)
        for text in ["host=127.0.0.1", "host=127.0.0.1 port=5432", "postgresql://db.internal:6543/app",
                     "postgresql://[::1]:5433/db", "postgresql://[fd00::7]:6432/db", "host=10.1.2.3 port=7432",
                     "host=/tmp port=5433", "postgresql:///db?port=5433", "host=/run/pg port=5434",
                     "host=any.internal port=1", "postgresql://any.internal:65535/db", "host=::2",
                     "host=db.internal,any.internal port=6543,22"] {
            #expect(refusal(text, by: custom) == nil, "\(text)")
        }
        for text in ["host=127.0.0.1 port=5433", "host=db.internal", "postgresql://[::1]/db", "postgresql://[fd00::7]/db",
                     "host=10.1.2.3", "host=/tmp", "host=/run/pg port=5435", "host=::2 port=5433",
                     "host=db.internal,db.internal port=6543,5432", "host=127.0.0.2"] {
            #expect(refusal(text, by: custom)?.code == .hostNotAllowed, "\(text)")
        }
        #expect(try custom.endpoints(of: "host=a,b,/tmp port=1,,3") ==
                [DatabaseEndpoint(.hostName("a"), port: 1), DatabaseEndpoint(.hostName("b"), port: 5432),
                 DatabaseEndpoint(.unixSocket(directory: "/tmp"), port: 3)])
        #expect(try custom.endpoints(of: "postgresql://a:7,b/db") ==
                [DatabaseEndpoint(.hostName("a"), port: 7), DatabaseEndpoint(.hostName("b"), port: 5432)])
        #expect(try custom.endpoints(of: "host=a,b port=6") ==
                [DatabaseEndpoint(.hostName("a"), port: 6), DatabaseEndpoint(.hostName("b"), port: 6)])

        for bad in ["db:0", "db:65536", "db:", "db:54a2", "db:+5432", "[::1", "[127.0.0.1]:5432", "fd00::/8:5432",
                    "[::1]5432", "db:5432:1", "unix:", "*"] {
            let error = #expect(throws: ConfigurationError.self, "\(bad)") { try AllowedDatabaseHosts(list: "localhost, \(bad)") }
            #expect(error?.message.contains("entry 2") == true)
        }
    }

    @Test("a port libpq would read differently, or that is out of range, is 400 invalid_connection_string", arguments: [
        "host=localhost port=+5432", "host=localhost port=' 5432'", "host=localhost port=0", "host=localhost port=65536",
        "host=localhost port=5432x", "host=localhost port=0x10", "host=localhost port=-1", "host=localhost,::1,127.0.0.1 port=1,2",
        "host=localhost port=5432,5432", "host=localhost port=054321",
    ])
    func badPorts(connectionString: String) {
        let error = refusal(connectionString)
        #expect(error?.code == .invalidConnectionString, "\(connectionString): \(String(describing: error))")
        #expect(error.map { APIError($0).status } == 400)
    }

    @Test("a control character in any value is 400 control_character_not_allowed, naming the keyword, never the value", arguments: [
        ("host=127.0.0.1 user='a\r\nb'", "user"), ("postgresql://evil%0D%0A@127.0.0.1/db", "user"),
        ("postgresql://u:pw%09secret@127.0.0.1/db", "password"), ("postgresql://127.0.0.1/db%7F", "dbname"),
        ("host=127.0.0.1 application_name='x\u{1B}[31m'", "application_name"), ("host='local\nhost'", "host"),
        ("postgresql://127.0.0.1/db?sslmode=require%00", "sslmode"), ("host=127.0.0.1 fallback_application_name='\u{7F}'", "fallback_application_name"),
    ])
    func controlCharacters(connectionString: String, keyword: String) {
        let error = refusal(connectionString)
        #expect(error.map { APIError($0).status } == 400, "\(connectionString)")
        guard keyword != "sslmode" else {
            // libpq itself refuses a NUL it decoded from a URI: the string cannot be parsed.
            #expect(error?.code == .invalidConnectionString)
            return
        }
        #expect(error?.code == .controlCharacterNotAllowed, "\(connectionString): \(String(describing: error))")
        #expect(error?.message.contains("'\(keyword)'") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("secret") == false && error?.message.contains("evil") == false)
        #expect(error.map { APIError($0).code.rawValue } == "control_character_not_allowed")
        // Even where the host would be refused, the control character is what the answer names.
        #expect(refusal(connectionString, by: DatabaseHostPolicy(allowsRequestConnectionStrings: true,
                                                                   allowedHosts: try! AllowedDatabaseHosts(list: "unix")))?.code
                == .controlCharacterNotAllowed)
    }
}
