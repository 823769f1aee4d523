@testable import AssistantHTTP
@testable import ChatEngine
@testable import Operations
import Platform
@testable import Policies
@testable import Store
import TestSupport
import Testing

/// `SQLITE_SYNCHRONOUS`: when a SQLite store's commits reach the disk.
@Suite("SQLite durability")
struct SQLiteDurabilityTests {
    @Test("full by default, normal when asked, anything else is a configuration error naming the variable")
    func configuration() throws {
        #expect(try AssistantConfiguration(environment: [:]).sqliteDurability == .full)
        #expect(try AssistantConfiguration(environment: ["SQLITE_SYNCHRONOUS": "NORMAL"]).sqliteDurability == .normal)
        let error = #expect(throws: ConfigurationError.self) {
            try AssistantConfiguration(environment: ["SQLITE_SYNCHRONOUS": "off"])
        }
        #expect(error?.variable == "SQLITE_SYNCHRONOUS")
    }

    @Test("the store's connections use the chosen setting", arguments: SQLiteDurability.allCases)
    func pragma(durability: SQLiteDurability) throws {
        let directory = try TemporaryDirectory(prefix: "pgassist-durability")
        defer { directory.remove() }
        let store = try SQLThreadStore(location: .sqlite(path: directory.file("store.db")), sqliteDurability: durability)
        try store.migrate()
        // PRAGMA synchronous answers 1 for NORMAL, 2 for FULL.
        let value = try store.database.rows("PRAGMA synchronous", []).first?.first?.integer
        #expect(value == (durability == .full ? 2 : 1))
    }
}
