import QueryTools
import SchemaTools
import ToolsCore
import TrashTools

extension ToolRegistry {
    /// Every tool this release ships, in the order the model is offered them.
    public static let standard = ToolRegistry(tools: [
        ListTablesTool(),
        GetSchemaTool(),
        RunSQLTool(),
        CreateTableTool(),
        DropTableTool(),
        RestoreTableTool(),
    ])
}
