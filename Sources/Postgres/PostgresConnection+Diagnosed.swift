internal import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

extension PostgresConnection {
    /// Connects like `init(connectionString:connectTimeoutSeconds:applicationName:)`, for databases named by
    /// someone else: a failure says why as a `ConnectionFailure` (`PostgresError.connectionFailure`) and its
    /// message is fixed text, so nothing the server, or a service that is not PostgreSQL, sent comes back.
    ///
    /// libpq's connection steps are driven here (`PQconnectPoll`) with its errors cut to the severity and the
    /// SQLSTATE (`PQERRORS_SQLSTATE`), which is what classifies a refusal. `connectTimeoutSeconds` (at least 2;
    /// 0 waits forever) bounds the wait on each host libpq tries; one that stays silent that long ends the
    /// attempt, where libpq's blocking connect would go on to the next host of a multi-host string.
    public convenience init(diagnosing connectionString: String, connectTimeoutSeconds: Int = 5,
                            applicationName: String = "pgassist") throws(PostgresError) {
        let handle = try Self.withParameters(connectionString, connectTimeoutSeconds: connectTimeoutSeconds,
                                             applicationName: applicationName) { PQconnectStartParams($0, $1, $2) }
        // Before any answer is read: the first call only starts the connection.
        PQsetErrorVerbosity(handle, PQERRORS_SQLSTATE)
        if let failure = Self.complete(handle, timeoutSeconds: connectTimeoutSeconds) {
            PQfinish(handle)
            throw PostgresError(code: .connectionFailed, message: "the connection failed (\(failure))",
                                connectionFailure: failure)
        }
        PQsetErrorVerbosity(handle, PQERRORS_DEFAULT)
        self.init(adopting: handle)
    }

    /// Polls `handle` until it is connected (nil) or has failed (why). The wait restarts whenever libpq moves
    /// on to another host.
    private static func complete(_ handle: OpaquePointer, timeoutSeconds: Int) -> ConnectionFailure? {
        let limit: Duration? = timeoutSeconds > 0 ? .seconds(max(timeoutSeconds, 2)) : nil
        var polling = PGRES_POLLING_WRITING
        var place = ""
        var deadline = ContinuousClock.now
        while true {
            guard PQstatus(handle) != CONNECTION_BAD else { return failure(of: handle) }
            switch polling {
            case PGRES_POLLING_OK:
                return nil
            case PGRES_POLLING_READING, PGRES_POLLING_WRITING:
                let current = "\(PQhost(handle).map { String(cString: $0) } ?? ""):\(PQport(handle).map { String(cString: $0) } ?? "")"
                if current != place {
                    place = current
                    deadline = ContinuousClock.now + (limit ?? .zero)
                }
                let events = Int16(polling == PGRES_POLLING_READING ? POLLIN : POLLOUT)
                guard wait(for: events, on: PQsocket(handle), until: limit == nil ? nil : deadline) else { return .unreachable }
            default:
                return failure(of: handle)
            }
            polling = PQconnectPoll(handle)
        }
    }

    /// Waits until `socket` is ready for `events` (or reports an error or hang-up, which the next poll reads);
    /// false when `deadline` passed first or the socket is unusable.
    private static func wait(for events: Int16, on socket: Int32, until deadline: ContinuousClock.Instant?) -> Bool {
        guard socket >= 0 else { return false }
        var descriptor = pollfd(fd: socket, events: events, revents: 0)
        while true {
            var milliseconds: Int32 = -1
            if let deadline {
                let left = ContinuousClock.now.duration(to: deadline).components
                guard left.seconds >= 0, left.seconds > 0 || left.attoseconds > 0 else { return false }
                milliseconds = Int32(clamping: left.seconds * 1_000 + left.attoseconds / 1_000_000_000_000_000 + 1)
            }
            let ready = poll(&descriptor, 1, milliseconds)
            if ready > 0 { return true }
            if ready == 0 { return false }
            if errno != EINTR { return false }
        }
    }

    /// Why the connection of `handle` failed: libpq's word that a password was needed and none given, else the
    /// SQLSTATE of the last refusal a server sent, else unreachable.
    private static func failure(of handle: OpaquePointer) -> ConnectionFailure {
        if PQconnectionNeedsPassword(handle) != 0 { return .authenticationFailed }
        let message = PQerrorMessage(handle).map { String(cString: $0) } ?? ""
        return lastSQLState(in: message).map(ConnectionFailure.init(sqlState:)) ?? .unreachable
    }

    /// The last SQLSTATE in libpq's error text at `PQERRORS_SQLSTATE` verbosity, where a server's refusal reads
    /// `SEVERITY:  XXXXX` on its own line: five digits or capital letters after two spaces, then the line's end.
    private static func lastSQLState(in message: String) -> String? {
        let bytes = Array(message.utf8)
        var found: String?
        var index = 0
        while index + 8 <= bytes.count {
            let code = bytes[(index + 3)..<(index + 8)]
            if bytes[index] == UInt8(ascii: ":"), bytes[index + 1] == 0x20, bytes[index + 2] == 0x20,
               code.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) }),
               index + 8 == bytes.count || bytes[index + 8] == UInt8(ascii: "\n") {
                found = String(decoding: code, as: UTF8.self)
            }
            index += 1
        }
        return found
    }
}
