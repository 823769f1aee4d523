internal import CLibPQ

extension PostgresConnection {
    /// `password` for `role` as the verifier the server stores (`SCRAM-SHA-256$…` under the server's
    /// `password_encryption`), computed by libpq on this side (`PQencryptPasswordConn`), so an
    /// `ALTER ROLE … PASSWORD` built from it never sends the password itself, nor leaves it in a server log.
    public func encryptedPassword(_ password: String, role: String) throws(PostgresError) -> String {
        guard !password.utf8.contains(0), !role.utf8.contains(0) else {
            throw PostgresError(code: .invalidArgument, message: "a password or role name contains a NUL character")
        }
        guard let encrypted = PQencryptPasswordConn(connection, password, role, nil) else {
            throw PostgresError(code: .queryFailed, message: Self.lastMessage(of: connection))
        }
        defer { PQfreemem(encrypted) }
        return String(cString: encrypted)
    }
}
