internal import CSQLite3

extension SQLiteError {
    /// The kind of an SQLite error. New kinds may be added; match the ones you handle with `==`.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable {
            case error, busy, locked, constraint, misuse, cantOpen, readOnly, ioError
            case corrupt, full, tooBig, mismatch, interrupted, noMemory, other
        }

        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// A generic SQL error: syntax, missing table or column (SQLITE_ERROR).
        public static let error = Code(.error)
        /// Another connection holds a conflicting lock and the busy timeout ran out (SQLITE_BUSY).
        public static let busy = Code(.busy)
        /// A conflicting lock within the same connection or shared cache (SQLITE_LOCKED).
        public static let locked = Code(.locked)
        /// A constraint failed (SQLITE_CONSTRAINT); `resultCode` tells which kind.
        public static let constraint = Code(.constraint)
        /// The API was used wrongly: wrong parameter count, empty SQL, several statements.
        public static let misuse = Code(.misuse)
        /// The database file could not be opened (SQLITE_CANTOPEN).
        public static let cantOpen = Code(.cantOpen)
        /// A write to a read-only database (SQLITE_READONLY).
        public static let readOnly = Code(.readOnly)
        /// The operating system reported an I/O error (SQLITE_IOERR).
        public static let ioError = Code(.ioError)
        /// The database file is malformed (SQLITE_CORRUPT, SQLITE_NOTADB).
        public static let corrupt = Code(.corrupt)
        /// The disk is full (SQLITE_FULL).
        public static let full = Code(.full)
        /// A string or blob exceeds SQLite's size limit (SQLITE_TOOBIG).
        public static let tooBig = Code(.tooBig)
        /// A value has the wrong type for its column (SQLITE_MISMATCH).
        public static let mismatch = Code(.mismatch)
        /// The operation was interrupted (SQLITE_INTERRUPT).
        public static let interrupted = Code(.interrupted)
        /// SQLite could not allocate memory (SQLITE_NOMEM).
        public static let noMemory = Code(.noMemory)
        /// Any other result code; see `SQLiteError.resultCode`.
        public static let other = Code(.other)

        /// The kind for an SQLite result code (primary or extended).
        init(resultCode: Int32) {
            switch resultCode & 0xFF {
            case SQLITE_ERROR: self = .error
            case SQLITE_BUSY: self = .busy
            case SQLITE_LOCKED: self = .locked
            case SQLITE_CONSTRAINT: self = .constraint
            case SQLITE_MISUSE: self = .misuse
            case SQLITE_CANTOPEN: self = .cantOpen
            case SQLITE_READONLY: self = .readOnly
            case SQLITE_IOERR: self = .ioError
            case SQLITE_CORRUPT, SQLITE_NOTADB: self = .corrupt
            case SQLITE_FULL: self = .full
            case SQLITE_TOOBIG: self = .tooBig
            case SQLITE_MISMATCH: self = .mismatch
            case SQLITE_INTERRUPT: self = .interrupted
            case SQLITE_NOMEM: self = .noMemory
            default: self = .other
            }
        }

        /// The kind's name, for logs.
        public var description: String { kind.rawValue }
    }
}
