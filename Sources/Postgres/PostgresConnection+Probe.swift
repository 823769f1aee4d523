internal import CLibPQ

extension PostgresConnection {
    /// Whether an idle connection is still usable, found out without a round trip and without waiting.
    ///
    /// A server that restarted, or an administrator's `pg_terminate_backend`, closes the socket of an
    /// idle connection (after a FATAL message), but libpq notices only when it next reads: until then
    /// `isConnected` stays true and the next statement fails. This reads whatever arrived while the
    /// connection was idle (messages and the end of the stream; nothing blocks) and then reports
    /// `isConnected`. A connection that breaks after the probe still fails on its next statement.
    public func probe() -> Bool {
        guard PQstatus(connection) == CONNECTION_OK else { return false }
        // A command in progress owns the input; only an idle connection can be probed.
        guard PQtransactionStatus(connection) != PQTRANS_ACTIVE else { return true }
        // The first read may return the server's last message, the second its end of stream.
        for _ in 0..<2 {
            guard PQconsumeInput(connection) == 1 else { break }
            // Parses what was read: an error while idle goes to the (silent) notice processor.
            _ = PQisBusy(connection)
        }
        return PQstatus(connection) == CONNECTION_OK
    }
}
