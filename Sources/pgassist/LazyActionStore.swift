import Assistant
import ToolsCore

/// The thread store as the tool CLI's approval store (and its record of who trashed which copy), opened only
/// when a tool needs one, so running a read-only tool never creates a store file in the working directory.
final class LazyActionStore: TargetedActionStore, TrashRecordStore {
    private let open: () throws(StoreError) -> SQLThreadStore
    private var store: SQLThreadStore?

    init(open: @escaping () throws(StoreError) -> SQLThreadStore) { self.open = open }

    func savePendingAction(_ action: PendingAction, target: PendingActionTarget) throws(ToolError) {
        try opened().savePendingAction(action, target: target)
    }

    func consumePendingAction(id: String, userId: String, tool: String, arguments: String, target: PendingActionTarget,
                              nowMilliseconds: Int64) throws(ToolError) -> PendingAction? {
        try opened().consumePendingAction(id: id, userId: userId, tool: tool, arguments: arguments, target: target,
                                          nowMilliseconds: nowMilliseconds)
    }

    func recordTrashedCopy(_ record: TrashedCopyRecord) throws(ToolError) {
        try opened().recordTrashedCopy(record)
    }

    func trashedCopy(_ copy: TrashedCopyKey) throws(ToolError) -> TrashedCopyRecord? {
        try opened().trashedCopy(copy)
    }

    private func opened() throws(ToolError) -> SQLThreadStore {
        if let store { return store }
        do {
            let opened = try open()
            store = opened
            return opened
        } catch {
            throw ToolError(.notConfigured, "The approval store (THREAD_STORE_URL) cannot be opened: \(error.debugDescription)")
        }
    }
}
