/// One target's pending actions: what a tool gets as `ToolContext.actions`. Actions saved through it are bound
/// to `target`, and only actions asked for `target` can be consumed through it, so an approval given with
/// another database or project does not act.
///
/// It also passes the store's trash records on when the store keeps them (`TrashRecordStore`), as tools
/// look for them on `ToolContext.actions`.
public final class BoundPendingActions: PendingActionStore, TrashRecordStore {
    /// Where the actions live.
    public let store: any TargetedActionStore
    /// The project and database of the calls made with this view.
    public let target: PendingActionTarget

    /// `store`'s actions for `target`.
    public init(store: any TargetedActionStore, target: PendingActionTarget) {
        self.store = store
        self.target = target
    }

    public func savePendingAction(_ action: PendingAction) throws(ToolError) {
        try store.savePendingAction(action, target: target)
    }

    public func consumePendingAction(id: String, userId: String, tool: String, arguments: String,
                                     nowMilliseconds: Int64) throws(ToolError) -> PendingAction? {
        try store.consumePendingAction(id: id, userId: userId, tool: tool, arguments: arguments, target: target,
                                       nowMilliseconds: nowMilliseconds)
    }

    public func recordTrashedCopy(_ record: TrashedCopyRecord) throws(ToolError) {
        try (store as? any TrashRecordStore)?.recordTrashedCopy(record)
    }

    public func trashedCopy(_ copy: TrashedCopyKey) throws(ToolError) -> TrashedCopyRecord? {
        try (store as? any TrashRecordStore)?.trashedCopy(copy)
    }
}
