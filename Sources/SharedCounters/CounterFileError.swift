/// Why a counter file could not be opened: the system call that failed and its errno, or a file whose
/// layout belongs to other counters.
public struct CounterFileError: Error, Sendable, CustomStringConvertible {
    /// What went wrong; new codes may be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A system call failed (`call` and `errno` say which and why).
        public static let systemCall = Code("systemCall")
        /// The file exists with another size, signature or magic number: another release's counters.
        public static let layoutMismatch = Code("layoutMismatch")

        /// The code's name, such as `layoutMismatch`.
        public var description: String { name }
    }

    /// What went wrong.
    public let code: Code
    /// The failing system call, for `.systemCall`.
    public let call: String?
    /// The errno it set, for `.systemCall`.
    public let errno: Int32?
    /// The file's path.
    public let path: String

    init(_ code: Code, path: String, call: String? = nil, errno: Int32? = nil) {
        self.code = code
        self.path = path
        self.call = call
        self.errno = errno
    }

    /// The code, and for a system call its name, the path and errno.
    public var description: String {
        if let call, let errno { return "CounterFileError.\(code): \(call)(\(path)) failed with errno \(errno)" }
        return "CounterFileError.\(code): \(path)"
    }
}
