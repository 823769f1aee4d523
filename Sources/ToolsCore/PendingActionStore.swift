/// The pending actions a tool saves and consumes: those of the project and database it runs on
/// (`BoundPendingActions` over the thread store, in the chat loop and the CLI alike).
public protocol PendingActionStore: AnyObject {
    /// Stores a new pending action.
    func savePendingAction(_ action: PendingAction) throws(ToolError)
    /// Consumes the action `id` if it exists, is unexpired and unused, and matches `userId`, `tool`
    /// and `arguments` exactly; afterwards it cannot be used again. Returns nil when it does not qualify.
    func consumePendingAction(id: String, userId: String, tool: String, arguments: String,
                              nowMilliseconds: Int64) throws(ToolError) -> PendingAction?
}
