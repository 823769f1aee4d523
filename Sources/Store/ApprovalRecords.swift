/// What approvals need kept where every worker process and the CLI see the same: pending actions, each bound
/// to an opaque target key (a digest of project and database, never a connection string), and who moved which
/// copy into a database's trash. The tools see these through `StoreApprovals`.
public protocol ApprovalRecords: AnyObject {
    /// Stores a new pending action for `target`, deleting actions that expired a day ago or longer.
    func savePendingAction(_ action: StoredPendingAction, target: String) throws(StoreError)
    /// Consumes the action `id` if it exists, is unexpired and unused, was asked for `target`, and matches
    /// `userId`, `tool` and `arguments` exactly (at most once, even when callers race); nil when it does not qualify.
    func consumePendingAction(id: String, userId: String, tool: String, arguments: String, target: String,
                              nowMilliseconds: Int64) throws(StoreError) -> StoredPendingAction?
    /// Records that `userId` trashed the copy named `copyKey` at `trashedAt` (milliseconds since the epoch).
    func recordTrashedCopy(copyKey: String, userId: String, trashedAt: Int64) throws(StoreError)
    /// Who trashed the copy named `copyKey`, and when; nil when this store never saw it trashed.
    func trashedCopy(copyKey: String) throws(StoreError) -> (userId: String, trashedAt: Int64)?
}
