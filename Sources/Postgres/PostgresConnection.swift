internal import CLibPQ

/// A libpq connection to a PostgreSQL server.
///
/// Statements run synchronously and their results are copied out in full. A connection
/// belongs to one thread at a time (libpq connections are not safe to share), so it is
/// deliberately not `Sendable`: give each worker thread its own.
public final class PostgresConnection {
    let connection: OpaquePointer

    /// Connects with a libpq URI (`postgres://…`, `postgresql://…`) or a `key=value` string.
    ///
    /// `connectTimeoutSeconds` bounds each connection attempt (libpq's minimum is 2 seconds;
    /// 0 waits forever). These arguments override the same settings in `connectionString`, and
    /// the client encoding is always UTF8. A failure throws `.connectionFailed`; its message is
    /// libpq's, with the password removed.
    public convenience init(connectionString: String, connectTimeoutSeconds: Int = 5,
                            applicationName: String = "pgassist") throws(PostgresError) {
        let handle = try Self.withParameters(connectionString, connectTimeoutSeconds: connectTimeoutSeconds,
                                             applicationName: applicationName) { PQconnectdbParams($0, $1, $2) }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.redactingPassword(Self.lastMessage(of: handle), of: handle)
            PQfinish(handle)
            throw PostgresError(code: .connectionFailed, message: message)
        }
        self.init(adopting: handle)
    }

    /// Takes over `handle`, a connection that is open.
    init(adopting handle: OpaquePointer) {
        // libpq prints NOTICE and WARNING messages to stderr by default; drop them.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        connection = handle
    }

    /// Calls libpq's `connect` (`PQconnectdbParams` or `PQconnectStartParams`) with `connectionString` expanded
    /// as `dbname` and the worker's own settings after it; throws when the string cannot be parsed (libpq's
    /// error for it quotes the string, password and all) or libpq cannot allocate a connection.
    static func withParameters(_ connectionString: String, connectTimeoutSeconds: Int, applicationName: String,
                               _ connect: (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?,
                                           Int32) -> OpaquePointer?) throws(PostgresError) -> OpaquePointer {
        if looksLikeConnectionString(connectionString), !canParse(connectionString) {
            throw PostgresError(code: .connectionFailed, message: "the connection string is not valid")
        }
        // Later entries override what expanding `dbname` sets, so the arguments win.
        let keywords = CStringArray(["dbname", "connect_timeout", "application_name", "client_encoding", nil])
        let values = CStringArray([connectionString, String(connectTimeoutSeconds), applicationName, "UTF8", nil])
        let handle = keywords.withPointers { keywords in
            values.withPointers { values in connect(keywords, values, 1) }
        }
        guard let handle else {
            throw PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection")
        }
        return handle
    }

    deinit { PQfinish(connection) }

    /// Runs exactly one statement with `parameters` bound to `$1`, `$2`, … (text form, nil for
    /// NULL; the server infers their types) and returns its complete result.
    public func query(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> PostgresResult {
        guard !sql.utf8.contains(0), !parameters.contains(where: { $0?.utf8.contains(0) == true }) else {
            throw PostgresError(code: .invalidArgument, message: "the SQL or a parameter contains a NUL character")
        }
        let values = CStringArray(parameters)
        let result = values.withPointers { values in
            PQexecParams(connection, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        return try consume(result)
    }

    /// Runs one or more `;`-separated statements without parameters, for DDL and migrations.
    ///
    /// Outside a transaction the statements run in one implicit transaction: all or nothing.
    public func execute(_ sql: String) throws(PostgresError) {
        guard !sql.utf8.contains(0) else {
            throw PostgresError(code: .invalidArgument, message: "the SQL contains a NUL character")
        }
        _ = try consume(PQexec(connection, sql))
    }

    /// True while the connection is usable (libpq's status is CONNECTION_OK).
    public var isConnected: Bool { PQstatus(connection) == CONNECTION_OK }

    /// True while a transaction block is open (including one that failed and awaits ROLLBACK).
    public var isInTransaction: Bool {
        let status = PQtransactionStatus(connection)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// Closes the connection and opens it again with the same settings; throws
    /// `.connectionFailed` when the server cannot be reached.
    public func reset() throws(PostgresError) {
        PQreset(connection)
        guard PQstatus(connection) == CONNECTION_OK else {
            throw PostgresError(code: .connectionFailed,
                                message: Self.redactingPassword(Self.lastMessage(of: connection), of: connection))
        }
    }

    /// The server's version as a number: major × 10000 + minor (150004 for 15.4); 0 when unknown.
    public var serverVersion: Int { Int(PQserverVersion(connection)) }

    /// The process ID of the server backend serving this connection.
    public var backendProcessID: Int { Int(PQbackendPID(connection)) }
}
