import Testing
import Tools
import ToolsCore

/// Which calls the one approval policy gates, for the tools this release ships.
@Suite("ApprovalPolicy: the deployment's gate over the tools' own approvals")
struct ApprovalPolicyTests {
    private func tool(_ name: String) throws -> any Tool {
        try #require(ToolRegistry.standard.tool(named: name))
    }

    @Test("without a gate, only the tools that ask by themselves may ask; read-only tools run concurrently")
    func noGate() throws {
        let policy = ApprovalPolicy(gatedTools: [])
        #expect(try policy.mayAskApproval(tool("drop_table")))
        #expect(try policy.mayAskApproval(tool("restore_table")))
        #expect(try !policy.mayAskApproval(tool("create_table")))
        #expect(try !policy.mayAskApproval(tool("run_sql")))
        #expect(try policy.runsConcurrently(tool("run_sql")) && policy.runsConcurrently(tool("list_tables")))
        #expect(try !policy.runsConcurrently(tool("create_table")), "a writing tool runs alone")
    }

    @Test("a gate stands before the tools it names, but not before drop_table, which asks on every call anyway")
    func gated() throws {
        let policy = ApprovalPolicy(gatedTools: ["run_sql", "create_table", "restore_table", "drop_table"])
        #expect(try policy.gates(tool("run_sql")) && policy.gates(tool("create_table")))
        #expect(try policy.gates(tool("restore_table")), "restore_table asks only for another user's copy")
        #expect(try !policy.gates(tool("drop_table")))
        #expect(try !policy.runsConcurrently(tool("run_sql")), "a gated read waits for its approval alone")
        #expect(try !policy.gates(tool("list_tables")))
    }
}
