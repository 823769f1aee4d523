import ChatEngine
import Operations
import Platform
import Policies
import Store
import Testing

@Suite("Store configuration")
struct StoreLocationTests {
    @Test("THREAD_STORE_URL accepts sqlite paths and postgres URLs and rejects anything else")
    func parsing() throws {
        #expect(try StoreLocation(url: "sqlite:///var/lib/x.db") == .sqlite(path: "/var/lib/x.db"))
        #expect(try StoreLocation(url: "sqlite://var/x.db") == .sqlite(path: "var/x.db"))
        #expect(try StoreLocation(url: "sqlite:x.db") == .sqlite(path: "x.db"))
        #expect(try StoreLocation(url: "postgresql://u:p@h/db") == .postgres(connectionString: "postgresql://u:p@h/db"))
        #expect(throws: StoreError.self) { try StoreLocation(url: "mysql://h/db") }
        #expect(throws: StoreError.self) { try StoreLocation(url: "sqlite://") }
    }

    @Test("a bad setting names the variable but never echoes a secret value")
    func configurationErrors() {
        do {
            _ = try AssistantConfiguration(environment: ["THREAD_STORE_URL": "redis://:hunter2@h"])
            Issue.record("expected an error")
        } catch {
            #expect(error.variable == "THREAD_STORE_URL")
            #expect(!error.description.contains("hunter2"))
        }
        #expect(throws: ConfigurationError.self) { try AssistantConfiguration(environment: ["MAX_MESSAGE_CHARS": "lots"]) }
    }
}
