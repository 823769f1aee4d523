/// Where pending actions live, each bound to the target it was asked for (the thread store implements it,
/// shared by every worker and the CLI). Tools see one target's actions through `BoundPendingActions`.
public protocol TargetedActionStore: AnyObject {
    /// Stores a new pending action for `target`.
    func savePendingAction(_ action: PendingAction, target: PendingActionTarget) throws(ToolError)
    /// Consumes the action `id` if it exists, is unexpired and unused, was asked for `target`, and matches
    /// `userId`, `tool` and `arguments` exactly; afterwards it cannot be used again. Returns nil when it does
    /// not qualify (and then leaves it as it was).
    func consumePendingAction(id: String, userId: String, tool: String, arguments: String, target: PendingActionTarget,
                              nowMilliseconds: Int64) throws(ToolError) -> PendingAction?
}
