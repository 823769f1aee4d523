import Platform

/// Brings a store's schema up to date at start-up.
///
/// Safe when many workers start at once: each runs inside one transaction holding the store-wide
/// migration lock (SQLite's write lock, PostgreSQL's advisory lock), re-reads the applied versions
/// under that lock and applies only what is missing, so every migration runs exactly once.
public struct Migrator {
    private let migrations: [Migration]

    /// Creates a migrator for `migrations` (all of them by default).
    public init(migrations: [Migration] = Migration.all) { self.migrations = migrations }

    /// Applies the missing migrations and returns the versions it applied (empty when up to date).
    @discardableResult
    public func migrate(_ database: any SQLDatabase) throws(StoreError) -> [Int] {
        let latest = migrations.map(\.version).max() ?? 0
        // Fast path without the write lock: a started store is already up to date.
        if let current = try? currentVersion(database), current >= latest { return [] }
        return try database.transaction { () throws(StoreError) -> [Int] in
            try database.lockForMigration()
            try database.script("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at BIGINT NOT NULL
                )
                """)
            let applied = Set(try database.rows("SELECT version FROM schema_migrations", []).compactMap { $0[0].integer })
            if let newest = applied.max(), newest > latest {
                throw StoreError(.failed, "the store's schema (version \(newest)) is newer than this binary knows (\(latest)); upgrade pgassist")
            }
            var done: [Int] = []
            for migration in migrations where !applied.contains(Int64(migration.version)) {
                try database.script(migration.sql)
                try database.run("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                                 [.integer(Int64(migration.version)), .text(migration.name), .integer(WallClock.nowMilliseconds())])
                done.append(migration.version)
            }
            return done
        }
    }

    /// The newest applied version, or nil when the store has no schema yet.
    public func currentVersion(_ database: any SQLDatabase) throws(StoreError) -> Int? {
        let rows = try database.rows("SELECT MAX(version) FROM schema_migrations", [])
        return rows.first?.first?.integer.map(Int.init)
    }
}
