@testable import Policies
import Testing
import Tools
import ToolsCore

/// A project's `dataSharing` in `PROJECTS_FILE`.
@Suite("Project data sharing level")
struct ProjectDataSharingTests {
    private func parse(_ text: String) throws(ProjectRegistryError) -> [String: ProjectEntry] {
        try ProjectFile.parse(Array(text.utf8), path: "projects.json", knownTools: ToolRegistry.standard.knownTools)
    }

    @Test("dataSharing is read (any case); absent or null leaves the deployment's level")
    func read() throws {
        let projects = try parse("""
            {"a": {"connectionString": "postgresql://localhost/a", "dataSharing": "schema"},
             "b": {"connectionString": "postgresql://localhost/b", "dataSharing": "DATA"},
             "c": {"connectionString": "postgresql://localhost/c"},
             "d": {"connectionString": "postgresql://localhost/d", "dataSharing": null}}
            """)
        #expect(projects["a"]?.dataSharing == .schema)
        #expect(projects["b"]?.dataSharing == .data)
        #expect(projects["c"]?.dataSharing == nil)
        #expect(projects["d"]?.dataSharing == nil)
        #expect("\(projects["a"]!)".contains("dataSharing: schema"))
    }

    @Test("a wrong dataSharing is an error naming the project and field", arguments: [#""rows""#, "true", "[]"])
    func wrong(_ value: String) throws {
        do {
            _ = try parse(#"{"a": {"connectionString": "postgresql://localhost/a", "dataSharing": \#(value)}}"#)
            Issue.record("expected an error for \(value)")
        } catch {
            #expect(error.projectRef == "a" && error.field == "dataSharing")
        }
    }
}
