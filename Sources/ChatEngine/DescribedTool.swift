import JSON
import Operations
import Policies
import Store
import ToolsCore

/// A tool offered to the model with the description an administrator set in `/setup` instead of its own.
struct DescribedTool: Tool {
    let base: any Tool
    let description: String

    var name: String { base.name }
    var parameters: JSONValue { base.parameters }
    var isReadOnly: Bool { base.isReadOnly }
    var selfApproval: SelfApproval { base.selfApproval }

    func execute(_ arguments: JSONValue, context: ToolContext) -> ToolResult {
        base.execute(arguments, context: context)
    }
}
