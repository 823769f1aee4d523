import SQLite
#if canImport(Glibc)
import Glibc
#endif

/// The thread store's SQLite database: one connection per worker thread, WAL mode so many
/// worker processes share the file, and a busy timeout so writers queue instead of failing.
public final class SQLiteDatabase: SQLDatabase {
    private let connection: SQLiteConnection

    /// Which database this is.
    public var kind: StoreKind { .sqlite }

    /// Opens (creating when needed) the file at `path` and its parent folder.
    /// - Parameter busyTimeoutMilliseconds: how long a statement waits for other writers.
    public init(path: String, busyTimeoutMilliseconds: Int32 = 5_000) throws(StoreError) {
        FileSystem.createParentDirectory(of: path)
        do {
            connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        } catch {
            throw Self.storeError(error)
        }
        // WAL lets readers run beside one writer; FULL syncs the WAL on every commit so an
        // acknowledged message survives a power loss, not only a crash. Switching a new file to WAL
        // needs an exclusive lock, and SQLite answers BUSY at once (without its busy handler) when
        // that could deadlock with another opener: workers starting together retry here.
        let deadline = ContinuousClock.now + .milliseconds(Int(busyTimeoutMilliseconds))
        while true {
            do {
                try connection.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")
                return
            } catch {
                guard error.isBusy, ContinuousClock.now < deadline else { throw Self.storeError(error) }
                try? sleepBriefly()
            }
        }
    }

    /// Waits 5–15 ms, so racing openers do not retry in lockstep.
    private func sleepBriefly() throws {
        var request = timespec(tv_sec: 0, tv_nsec: Int.random(in: 5_000_000...15_000_000))
        nanosleep(&request, nil)
    }

    public func rows(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> [SQLRow] {
        do {
            return try connection.query(sql, parameters.map(Self.sqliteValue)).map { row in
                row.values.map(Self.sqlValue)
            }
        } catch {
            throw Self.storeError(error)
        }
    }

    @discardableResult
    public func run(_ sql: String, _ parameters: [SQLValue]) throws(StoreError) -> Int {
        do {
            return try connection.run(sql, parameters.map(Self.sqliteValue))
        } catch {
            throw Self.storeError(error)
        }
    }

    public func script(_ sql: String) throws(StoreError) {
        do {
            try connection.execute(sql)
        } catch {
            throw Self.storeError(error)
        }
    }

    public func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        // BEGIN IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
        // writes fails with SQLITE_BUSY, without waiting, when another process wrote in between.
        do {
            return try connection.transaction(immediate: true) { () throws -> T in try body() }
        } catch let error as StoreError {
            throw error
        } catch let error as SQLiteError {
            throw Self.storeError(error)
        } catch {
            throw StoreError(.failed, String(describing: error))
        }
    }

    public func lockForMigration() throws(StoreError) {
        // BEGIN IMMEDIATE already holds the database's single write lock.
    }

    private static func sqliteValue(_ value: SQLValue) -> SQLiteValue {
        switch value {
        case .null: .null
        case .integer(let number): .integer(number)
        case .text(let text): .text(text)
        }
    }

    private static func sqlValue(_ value: SQLiteValue) -> SQLValue {
        switch value {
        case .null: .null
        case .integer(let number): .integer(number)
        case .text(let text): .text(text)
        case .real(let number): .text(String(number))
        case .blob(let bytes): .text(String(decoding: bytes, as: UTF8.self))
        }
    }

    private static func storeError(_ error: SQLiteError) -> StoreError {
        StoreError(error.isBusy ? .busy : .failed, error.debugDescription)
    }
}
