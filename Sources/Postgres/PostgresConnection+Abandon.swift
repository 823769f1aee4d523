#if canImport(Glibc)
import Glibc
#endif
internal import CLibPQ

extension PostgresConnection {
    /// Shuts the connection's socket down from another thread, so a call blocked on it (a query the server
    /// keeps computing past its `statement_timeout`, because it never checks for cancellation in that
    /// stretch) returns at once with a connection error. The connection is unusable afterwards: close it.
    public func abandon() {
        let socket = PQsocket(connection)
        if socket >= 0 { _ = shutdown(socket, Int32(SHUT_RDWR)) }
    }
}
