/// Where pending actions live, shared by every worker and the CLI (the thread store implements it).
public protocol PendingActionStore: AnyObject {
    /// Stores a new pending action.
    func savePendingAction(_ action: PendingAction) throws(ToolError)
    /// Consumes the action `id` if it exists, is unexpired and unused, and matches `userId`, `tool`
    /// and `arguments` exactly; afterwards it cannot be used again. Returns nil when it does not qualify.
    func consumePendingAction(id: String, userId: String, tool: String, arguments: String,
                              nowMilliseconds: Int64) throws(ToolError) -> PendingAction?
}
