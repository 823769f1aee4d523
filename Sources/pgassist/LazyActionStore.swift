import Assistant
import Tools

/// The thread store as the tool CLI's approval store, opened only when a tool needs approvals,
/// so running a read-only tool never creates a store file in the working directory.
final class LazyActionStore: PendingActionStore {
    private let open: () throws(StoreError) -> SQLThreadStore
    private var store: SQLThreadStore?

    init(open: @escaping () throws(StoreError) -> SQLThreadStore) { self.open = open }

    func savePendingAction(_ action: PendingAction) throws(ToolError) {
        try opened().savePendingAction(action)
    }

    func consumePendingAction(id: String, userId: String, tool: String, arguments: String,
                              nowMilliseconds: Int64) throws(ToolError) -> PendingAction? {
        try opened().consumePendingAction(id: id, userId: userId, tool: tool, arguments: arguments,
                                          nowMilliseconds: nowMilliseconds)
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
