import ChatEngine
import Foundation
import Logging
import Operations
import Platform
import Policies
import Store
import Synchronization
import Testing
import Tools
import ToolsCore

@Suite("Server-side project registry (PROJECTS_FILE)")
struct ProjectRegistryTests {
    /// A temporary folder with one projects file, a clock the test moves, and the log lines written.
    private final class Fixture: Sendable {
        let directory: String
        let path: String
        let time = Mutex(0)
        let logLines = Mutex<[String]>([])

        init() throws {
            directory = NSTemporaryDirectory() + "pgassist-projects-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            path = directory + "/projects.json"
        }

        deinit { try? FileManager.default.removeItem(atPath: directory) }

        /// Replaces the file the way deployment tools do: write a new file, rename it over the old one.
        func replace(_ text: String) throws {
            let temporary = directory + "/projects.json.new"
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
            #expect(rename(temporary, path) == 0)
        }

        /// Rewrites the file in place (same inode).
        func overwrite(_ text: String) throws {
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try handle.truncate(atOffset: 0)
            try handle.write(contentsOf: Data(text.utf8))
            try handle.close()
        }

        func advance(milliseconds: Int) { time.withLock { $0 += milliseconds } }

        func registry() throws(ProjectRegistryError) -> ProjectRegistry {
            var logger = Logger(label: "test") { _ in RecordingLogHandler(fixture: self) }
            logger.logLevel = .trace
            return try ProjectRegistry(path: path, knownTools: ToolRegistry.standard.knownTools, logger: logger, now: { [self] in time.withLock { $0 } })
        }
    }

    private struct RecordingLogHandler: LogHandler {
        let fixture: Fixture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let fields = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            fixture.logLines.withLock { $0.append("\(event.level) \(event.message) \(fields.joined(separator: " "))") }
        }
    }

    private static let secret = "s3cr3t-pa55"
    private static let good = """
        {
          "abcd": {"connectionString": "postgresql://app:\(secret)@db.internal/postgres"},
          "ro": {"connectionString": "host=/var/run/postgresql dbname=shop", "readOnly": true,
                 "readOnlyRole": "assistant_ro", "approvalTools": ["run_sql"],
                 "sensitiveColumns": ["public.customers.internal_code", "billing.cards"]},
          "few": {"connectionString": "postgresql://localhost/x", "tools": ["run_sql", "list_tables", "drop_table"],
                  "readOnly": false, "readOnlyRole": null}
        }
        """

    private func loadError(_ text: String) throws -> ProjectRegistryError? {
        let fixture = try Fixture()
        try fixture.replace(text)
        do {
            _ = try fixture.registry()
            return nil
        } catch {
            return error
        }
    }

    @Test("entries load with their tools, read-only policy, role and approvals")
    func load() throws {
        let fixture = try Fixture()
        try fixture.replace(Self.good)
        let registry = try fixture.registry()
        #expect(registry.projectRefs == ["abcd", "few", "ro"])

        let all = try #require(registry.project("abcd"))
        #expect(all.connectionString == "postgresql://app:\(Self.secret)@db.internal/postgres")
        #expect(all.toolNames == ["list_tables", "get_schema", "run_sql", "create_table", "drop_table", "restore_table"])
        #expect(!all.readOnly && all.readOnlyRole == nil)
        #expect(all.approvalTools.isEmpty)

        let readOnly = try #require(registry.project("ro"))
        #expect(readOnly.toolNames == ["list_tables", "get_schema", "run_sql"])
        #expect(readOnly.readOnly && readOnly.readOnlyRole == "assistant_ro")
        #expect(readOnly.approvalTools.contains("run_sql"))
        #expect(readOnly.sensitiveColumns == ["public.customers.internal_code", "billing.cards"])
        #expect(all.sensitiveColumns.isEmpty)

        // Offered in the registry's order, whatever the file's order.
        #expect(registry.project("few")?.toolNames == ["list_tables", "run_sql", "drop_table"])
        #expect(registry.project("nope") == nil)
        #expect(registry.project("ABCD") == nil)
        // Printing an entry never shows its connection string.
        #expect(!"\(all)".contains(Self.secret))
        #expect(!String(reflecting: all).contains(Self.secret))
    }

    @Test("a changed file is picked up by the first lookup after the check interval, not before")
    func reload() throws {
        let fixture = try Fixture()
        try fixture.replace(Self.good)
        let registry = try fixture.registry()
        #expect(registry.project("abcd") != nil)

        try fixture.replace(#"{"efgh": {"connectionString": "postgresql://localhost/e"}}"#)
        fixture.advance(milliseconds: 500)
        #expect(registry.project("abcd") != nil)
        #expect(registry.project("efgh") == nil)
        fixture.advance(milliseconds: 500)
        #expect(registry.project("efgh") != nil)
        #expect(registry.project("abcd") == nil)

        // Edited in place: same inode, another size.
        try fixture.overwrite(#"{"ijkl": {"connectionString": "postgresql://localhost/i", "readOnly": true}}"#)
        fixture.advance(milliseconds: 1_000)
        #expect(registry.project("ijkl")?.readOnly == true)
        #expect(registry.project("efgh") == nil)
        #expect(fixture.logLines.withLock { $0.filter { $0.hasPrefix("info projects file reloaded") }.count } == 2)
    }

    @Test("a bad new version keeps the previous one, is logged once without secrets, and a fix is picked up")
    func badReload() throws {
        let fixture = try Fixture()
        try fixture.replace(Self.good)
        let registry = try fixture.registry()

        try fixture.replace(#"{"abcd": {"connectionString": "postgresql://u:\#(Self.secret)@h/db", "tools": ["rm_rf"]}}"#)
        fixture.advance(milliseconds: 1_000)
        #expect(registry.project("abcd")?.connectionString == "postgresql://app:\(Self.secret)@db.internal/postgres")
        #expect(registry.project("ro") != nil)
        fixture.advance(milliseconds: 1_000)
        #expect(registry.project("ro") != nil)
        let errors = fixture.logLines.withLock { $0.filter { $0.hasPrefix("error") } }
        #expect(errors.count == 1)
        #expect(errors.first?.contains("project 'abcd', field 'tools'") == true)
        #expect(errors.allSatisfy { !$0.contains(Self.secret) && !$0.contains("rm_rf") })

        // Removed: the previous version stays too.
        try FileManager.default.removeItem(atPath: fixture.path)
        fixture.advance(milliseconds: 1_000)
        #expect(registry.project("ro") != nil)

        try fixture.replace(#"{"fixed": {"connectionString": "dbname=fixed"}}"#)
        fixture.advance(milliseconds: 1_000)
        #expect(registry.project("fixed") != nil)
        #expect(registry.project("ro") == nil)
    }

    @Test("a malformed file is a startup error naming the project and field, never the connection string")
    func malformed() throws {
        let bad = "postgresql://u:\(Self.secret)@h/db"
        let cases: [(text: String, ref: String?, field: String?)] = [
            (#"{"a": {"connectionString": "\#(bad)", "tools": ["list_tables", "rm_rf"]}}"#, "a", "tools"),
            (#"{"a": {"connectionString": "\#(bad)", "tools": "run_sql"}}"#, "a", "tools"),
            (#"{"a": {"connectionString": "\#(bad)", "approvalTools": [1]}}"#, "a", "approvalTools"),
            (#"{"a": {"connectionString": "\#(bad)", "readOnly": "yes"}}"#, "a", "readOnly"),
            (#"{"a": {"connectionString": "\#(bad)", "sensitiveColumns": ["users"]}}"#, "a", "sensitiveColumns"),
            (#"{"a": {"connectionString": "\#(bad)", "sensitiveColumns": "a.b"}}"#, "a", "sensitiveColumns"),
            (#"{"a": {"connectionString": "\#(bad)", "sensitiveColumns": ["a..b"]}}"#, "a", "sensitiveColumns"),
            (#"{"a": {"connectionString": "\#(bad)", "readOnlyRole": ""}}"#, "a", "readOnlyRole"),
            (#"{"a": {"connectionString": "\#(bad)", "readonly": true}}"#, "a", "readonly"),
            (#"{"a": {"connectionString": "\#(bad)", "\#(bad)": true}}"#, "a", nil),
            (#"{"a": {"tools": []}}"#, "a", "connectionString"),
            (#"{"a": {"connectionString": 5}}"#, "a", "connectionString"),
            (#"{"a": {"connectionString": "host='\#(Self.secret)"}}"#, "a", "connectionString"),
            (#"{"a": {"connectionString": "\#(Self.secret)"}}"#, "a", "connectionString"),
            (#"{"a": "\#(bad)"}"#, "a", nil),
            (#"{"\#(bad)": {"connectionString": "\#(bad)"}}"#, nil, nil),
            (#"{"": {"connectionString": "\#(bad)"}}"#, nil, nil),
        ]
        for (text, ref, field) in cases {
            let error = try #require(try loadError(text), "\(text)")
            #expect(error.code == .invalidProject, "\(text)")
            #expect(error.projectRef == ref, "\(text)")
            #expect(error.field == field, "\(text)")
            #expect(!error.description.contains(Self.secret), "\(error)")
            #expect(!error.configurationError.description.contains(Self.secret))
            #expect(error.configurationError.variable == "PROJECTS_FILE")
        }
        #expect(try loadError(#"{"abcd": {"connectionString": "\#(bad)", "tools": ["rm_rf"]}}"#)?.description
            .contains("project 'abcd', field 'tools': entry 1 is not a known tool") == true)
        for text in ["{\"a\": {\"connectionString\": \"\(bad)\"", "[]", "\"\(bad)\"", ""] {
            let error = try #require(try loadError(text))
            #expect(error.code == .invalidJSON)
            #expect(!error.description.contains(Self.secret))
        }
        #expect(try loadError("{}") == nil)
        #expect(try loadError(#"{"a": {"connectionString": "dbname=a", "tools": []}}"#) == nil)
    }

    @Test("a missing file is a startup error; PROJECTS_FILE unset means no registry")
    func missing() throws {
        let fixture = try Fixture()
        #expect(throws: ProjectRegistryError.self) { try fixture.registry() }
        let settings = try ProjectSettings(environment: ["PROJECTS_FILE": fixture.path])
        let error = #expect(throws: ConfigurationError.self) {
            try ProjectRegistry.load(settings: settings, knownTools: ToolRegistry.standard.knownTools, logger: Logger(label: "test"))
        }
        #expect(error?.variable == "PROJECTS_FILE")
        #expect(try ProjectRegistry.load(settings: ProjectSettings(environment: [:]), knownTools: [], logger: Logger(label: "test")) == nil)
        try fixture.replace(Self.good)
        #expect(try ProjectRegistry.load(settings: settings, knownTools: ToolRegistry.standard.knownTools, logger: Logger(label: "test"))?.project("abcd") != nil)
    }

    @Test("many threads look up while the file changes")
    func concurrentLookups() async throws {
        let fixture = try Fixture()
        try fixture.replace(Self.good)
        let registry = try fixture.registry()
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for round in 0..<200 {
                        fixture.advance(milliseconds: 100)
                        if worker == 0, round % 20 == 0 {
                            try? fixture.replace(round % 40 == 0 ? Self.good
                                : #"{"abcd": {"connectionString": "dbname=r\#(round)"}, "ro": {"connectionString": "dbname=x"}}"#)
                        }
                        #expect(registry.project("abcd") != nil)
                    }
                }
            }
        }
    }
}
