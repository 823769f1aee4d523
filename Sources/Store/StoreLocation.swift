/// Where the thread store lives, parsed from `THREAD_STORE_URL`.
///
/// - `sqlite:///abs/path.db`, `sqlite://relative/path.db` or `sqlite:path.db`: a SQLite file
///   (relative paths are relative to the working directory).
/// - `postgres://…` or `postgresql://…`: a PostgreSQL database; the URL goes to libpq as it is.
public enum StoreLocation: Sendable, Equatable {
    /// A SQLite database file.
    case sqlite(path: String)
    /// A PostgreSQL connection string (may hold a password: never log it).
    case postgres(connectionString: String)

    /// The store used when `THREAD_STORE_URL` is not set: `./var/pgassist.db`.
    public static let defaultLocation = StoreLocation.sqlite(path: "var/pgassist.db")

    /// Parses a store URL; throws `invalidConfiguration` naming the accepted forms.
    public init(url: String) throws(StoreError) {
        let trimmed = url.trimmingSpaces()
        if trimmed.hasPrefix("postgres://") || trimmed.hasPrefix("postgresql://") {
            self = .postgres(connectionString: trimmed)
            return
        }
        for prefix in ["sqlite://", "sqlite:"] where trimmed.hasPrefix(prefix) {
            let path = String(trimmed.dropFirst(prefix.count))
            guard !path.isEmpty else { break }
            self = .sqlite(path: path)
            return
        }
        throw StoreError(.invalidConfiguration,
                         "THREAD_STORE_URL must start with sqlite:// (e.g. sqlite:///var/lib/pgassist/threads.db) or postgres://")
    }

    /// The kind of store.
    public var kind: StoreKind {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }
}

extension String {
    package func trimmingSpaces() -> String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
