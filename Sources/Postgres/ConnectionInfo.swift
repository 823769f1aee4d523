internal import CLibPQ

/// The settings a libpq connection string spells out, as libpq's own parser (`PQconninfoParse`) reads them.
///
/// Only what the string itself sets is here: libpq's defaults (the `PG*` environment variables, service
/// files, the compiled-in socket directory) are not applied. Both forms are understood, URIs
/// (`postgresql://…`, `postgres://…`, with percent-decoding) and `key=value` pairs, exactly as
/// `PQconnectdb` and `PostgresConnection` would read them.
public struct ConnectionInfo: Sendable, Equatable {
    /// One option the string sets.
    public struct Option: Sendable, Equatable {
        /// libpq's keyword, e.g. `host`, `hostaddr`, `dbname`.
        public let keyword: String
        /// The value after libpq's unquoting and percent-decoding; may be empty.
        public let value: String

        /// An option setting `keyword` to `value`.
        public init(keyword: String, value: String) {
            self.keyword = keyword
            self.value = value
        }
    }

    /// The options the string sets, in libpq's order of keywords.
    public let options: [Option]

    /// Parses `connectionString` with libpq. A string libpq rejects throws `.invalidArgument` with a
    /// generic message: libpq's own message quotes the string, password and all.
    public init(parsing connectionString: String) throws(PostgresError) {
        guard !connectionString.utf8.contains(0) else {
            throw PostgresError(code: .invalidArgument, message: "the connection string contains a NUL character")
        }
        var errorMessage: UnsafeMutablePointer<CChar>?
        let parsed = PQconninfoParse(connectionString, &errorMessage)
        PQfreemem(errorMessage)
        guard let parsed else {
            throw PostgresError(code: .invalidArgument, message: "the connection string is not valid")
        }
        defer { PQconninfoFree(parsed) }
        var options: [Option] = []
        var option = parsed
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                options.append(Option(keyword: String(cString: keyword), value: String(cString: value)))
            }
            option += 1
        }
        self.options = options
    }

    /// The given options, in that order.
    public init(options: [Option]) {
        self.options = options
    }

    /// These options with every keyword `other` sets taken from `other` instead.
    public func overriding(with other: ConnectionInfo) -> ConnectionInfo {
        let replaced = Set(other.options.map(\.keyword))
        return ConnectionInfo(options: options.filter { !replaced.contains($0.keyword) } + other.options)
    }

    /// The options as a `key='value'` connection string, each value quoted (`\` and `'` escaped), as libpq
    /// reads it back to the same options.
    public var keyValueString: String {
        options.map { option in
            var quoted = option.keyword + "='"
            for character in option.value {
                if character == "\\" || character == "'" { quoted.append("\\") }
                quoted.append(character)
            }
            return quoted + "'"
        }.joined(separator: " ")
    }

    /// The value the string gives `keyword`, or nil when it does not set it (an empty value is `""`).
    public subscript(keyword: String) -> String? {
        options.first { $0.keyword == keyword }?.value
    }

    /// Whether libpq reads `text` as a connection string rather than as a plain database name when it
    /// is passed as an expandable `dbname`: it starts with `postgresql://` or `postgres://` (case matters),
    /// or contains `=`.
    public static func isConnectionString(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") || text.contains("=")
    }
}
