import Policies
import ToolsCore

extension ToolRegistry {
    /// The tools as the project file may name them (name, and whether each only reads).
    public var knownTools: [KnownTool] {
        tools.map { KnownTool(name: $0.name, isReadOnly: $0.isReadOnly) }
    }
}
