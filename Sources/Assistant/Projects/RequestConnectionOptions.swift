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

    /// The first keyword `info` sets that is not allowed, in libpq's order, or nil when all are.
    public static func firstRefused(in info: ConnectionInfo) -> String? {
        info.options.first { !allowed.contains($0.keyword) }?.keyword
    }
}
