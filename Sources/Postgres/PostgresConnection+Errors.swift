internal import CLibPQ

extension PostgresConnection {
    /// Takes ownership of a libpq result: copies it out when it succeeded, throws otherwise.
    func consume(_ result: OpaquePointer?) throws(PostgresError) -> PostgresResult {
        guard let result else {
            // libpq returns no result when it could not send the command at all.
            throw PostgresError(code: isConnected ? .queryFailed : .connectionLost,
                                message: Self.lastMessage(of: connection))
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        switch status {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresResult(copying: result)
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            abandonCopy(status)
            throw PostgresError(code: .unsupported, message: "COPY to or from the client is not supported")
        default:
            throw error(from: result, status: status)
        }
    }

    private func error(from result: OpaquePointer, status: ExecStatusType) -> PostgresError {
        func field(_ code: Int32) -> String? {
            PQresultErrorField(result, code).map { String(cString: $0) }
        }
        let message = field(CLibPQ_diagMessagePrimary())
            ?? PQresultErrorMessage(result).map { Self.trimmed(String(cString: $0)) }.flatMap { $0.isEmpty ? nil : $0 }
            ?? Self.lastMessage(of: connection)
        let code: PostgresError.Code = !isConnected ? .connectionLost
            : status == PGRES_BAD_RESPONSE ? .protocolError : .queryFailed
        return PostgresError(code: code, message: message, sqlState: field(CLibPQ_diagSQLState()),
                             detail: field(CLibPQ_diagMessageDetail()), hint: field(CLibPQ_diagMessageHint()),
                             position: field(CLibPQ_diagStatementPosition()).flatMap { Int($0) })
    }

    /// Ends a COPY the server started so the connection can run the next command.
    private func abandonCopy(_ status: ExecStatusType) {
        var status = status
        while true {
            if status == PGRES_COPY_IN || status == PGRES_COPY_BOTH {
                _ = PQputCopyEnd(connection, "COPY from the client is not supported")
            }
            if status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH {
                var buffer: UnsafeMutablePointer<CChar>?
                while PQgetCopyData(connection, &buffer, 0) > 0 { PQfreemem(buffer) }
            }
            guard let next = PQgetResult(connection) else { return }
            status = PQresultStatus(next)
            PQclear(next)
            if PQstatus(connection) != CONNECTION_OK { return }
        }
    }

    /// libpq's last error message for `connection`, without the trailing newline.
    static func lastMessage(of connection: OpaquePointer) -> String {
        let message = PQerrorMessage(connection).map { trimmed(String(cString: $0)) } ?? ""
        return message.isEmpty ? "unknown libpq error" : message
    }

    /// `message` with the connection's password (if it has one) replaced by `***`.
    static func redactingPassword(_ message: String, of connection: OpaquePointer) -> String {
        guard let pointer = PQpass(connection) else { return message }
        let password = String(cString: pointer)
        return password.isEmpty ? message : message.replacing(password, with: "***")
    }

    /// Whether libpq would parse `text` as a connection string rather than a database name.
    static func looksLikeConnectionString(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") || text.contains("=")
    }

    /// Whether libpq can parse `text` as a connection string.
    static func canParse(_ text: String) -> Bool {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let options = PQconninfoParse(text, &errorMessage)
        PQfreemem(errorMessage)
        PQconninfoFree(options)
        return options != nil
    }

    private static func trimmed(_ text: String) -> String {
        var text = Substring(text)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
