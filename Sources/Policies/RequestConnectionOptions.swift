import Postgres

/// The libpq keywords a connection string from a request may set; every other keyword is refused.
///
/// An allow-list, because libpq keeps gaining options and many of them act on the worker's machine: files it
/// reads (`sslcert`, `sslkey`, `sslrootcert`, `sslcrl`, `sslcrldir`, `passfile`, `servicefile`), credentials it
/// holds (`sslpassword`, GSSAPI's `gssencmode`, `krbsrvname`, `gsslib`, `gssdelegation`), or the session the
/// tools rely on (`options` sets server settings such as `-c role=…` or `-c search_path=…` before the tools'
/// own; `replication` opens a walsender). What is left only says where and as whom to connect, and how
/// carefully. Projects configured by the operator (`PROJECTS_FILE`) are not checked.
public enum RequestConnectionOptions {
    /// The keywords a request's connection string may use. `connect_timeout`, `application_name` and
    /// `client_encoding` are accepted but overridden by the worker's own values.
    public static let allowed: Set<String> = [
        "host", "hostaddr", "port", "dbname", "user", "password",
        "connect_timeout", "application_name", "fallback_application_name", "client_encoding",
        "sslmode", "sslcompression", "sslsni", "ssl_min_protocol_version", "ssl_max_protocol_version",
        "channel_binding", "require_auth", "target_session_attrs", "load_balance_hosts",
        "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
    ]

    /// A path that does not exist, given to libpq instead of the worker's own default files.
    public static let missingFile = "/nonexistent/pgassist-request-connection"

    /// `info` spelled as `key=value` pairs, with libpq's defaults that would act for the worker pinned
    /// away: its password file (`~/.pgpass`, `PGPASSFILE`) and client certificate and key
    /// (`~/.postgresql/postgresql.crt`, `PGSSLCERT`) point at a missing file, and without a password in
    /// the string an empty one keeps `PGPASSWORD` out. A server that asks for a password then gets only
    /// the request's. Without a port in the string, 5432 keeps `PGPORT` out: the port checked is the port used.
    public static func confined(_ info: ConnectionInfo) -> String {
        var pinned = [("passfile", missingFile), ("sslcert", missingFile), ("sslkey", missingFile)]
        if info["password"] == nil { pinned.append(("password", "")) }
        if info["port"] == nil { pinned.append(("port", String(AllowedDatabaseHosts.defaultPort))) }
        return ConnectionInfo(options: info.options + pinned.map { ConnectionInfo.Option(keyword: $0.0, value: $0.1) })
            .keyValueString
    }

    /// The first keyword whose value (as libpq decoded it) holds a control character, a byte below 0x20 or 0x7F,
    /// or nil. Such bytes (a CR LF in `user`, say) would go to whatever listens at the address as they are.
    public static func firstWithControlCharacter(in info: ConnectionInfo) -> String? {
        info.options.first { $0.value.utf8.contains { $0 < 0x20 || $0 == 0x7F } }?.keyword
    }

    /// The first keyword `info` sets that is not allowed, in libpq's order, or nil when all are.
    public static func firstRefused(in info: ConnectionInfo) -> String? {
        info.options.first { !allowed.contains($0.keyword) }?.keyword
    }
}
