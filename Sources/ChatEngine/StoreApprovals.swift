import Operations
import Policies
import Store
import ToolsCore

/// The thread store as the tools' approval store and record of who trashed which copy: the chat loop and
/// `pgassist tool` both hand it to tools (through `BoundPendingActions`). The store is opened on first use, so a
/// read-only tool run from the CLI never creates a store file; a store failure reaches the tool as an
/// `internal_error` (or `not_configured` when the store cannot be opened) that says nothing of its internals.
public final class StoreApprovals: TargetedActionStore, TrashRecordStore {
    private let open: () throws(StoreError) -> any ApprovalRecords
    private var opened: (any ApprovalRecords)?

    /// Approvals kept in `store`.
    public convenience init(_ store: any ApprovalRecords) {
        self.init { () throws(StoreError) in store }
    }

    /// Approvals kept in the store `open` returns, called on first use.
    public init(opening open: @escaping () throws(StoreError) -> any ApprovalRecords) {
        self.open = open
    }

    public func savePendingAction(_ action: PendingAction, target: PendingActionTarget) throws(ToolError) {
        let stored = StoredPendingAction(id: action.id, userId: action.userId, tool: action.tool,
                                         arguments: action.arguments, impact: action.impact, expiresAt: action.expiresAt)
        try mapped { () throws(StoreError) in try store().savePendingAction(stored, target: target.key) }
    }

    public func consumePendingAction(id: String, userId: String, tool: String, arguments: String,
                                     target: PendingActionTarget, nowMilliseconds: Int64) throws(ToolError) -> PendingAction? {
        let found = try mapped { () throws(StoreError) in
            try store().consumePendingAction(id: id, userId: userId, tool: tool, arguments: arguments, target: target.key,
                                             nowMilliseconds: nowMilliseconds)
        }
        return found.map {
            PendingAction(id: $0.id, userId: $0.userId, tool: $0.tool, arguments: $0.arguments, impact: $0.impact,
                          expiresAt: $0.expiresAt)
        }
    }

    public func recordTrashedCopy(_ record: TrashedCopyRecord) throws(ToolError) {
        try mapped { () throws(StoreError) in
            try store().recordTrashedCopy(copyKey: record.copy.description, userId: record.userId,
                                          trashedAt: record.trashedAt)
        }
    }

    public func trashedCopy(_ copy: TrashedCopyKey) throws(ToolError) -> TrashedCopyRecord? {
        let found = try mapped { () throws(StoreError) in try store().trashedCopy(copyKey: copy.description) }
        return found.map { TrashedCopyRecord(copy: copy, userId: $0.userId, trashedAt: $0.trashedAt) }
    }

    private func store() throws(StoreError) -> any ApprovalRecords {
        if let opened { return opened }
        let store = try open()
        opened = store
        return store
    }

    /// Runs `body`; a store that cannot be opened is `not_configured`, any other failure an `internal_error`.
    private func mapped<T>(_ body: () throws(StoreError) -> T) throws(ToolError) -> T {
        let wasOpen = opened != nil
        do throws(StoreError) {
            return try body()
        } catch {
            if !wasOpen && opened == nil {
                throw ToolError(.notConfigured, "The approval store (THREAD_STORE_URL) cannot be opened: \(error.debugDescription)")
            }
            throw ToolError(.internalError, error.code == .busy || error.code == .unavailable
                            ? "The approval store is busy or unreachable; try again shortly."
                            : "The approval store failed; try again, and report it if it keeps happening.")
        }
    }
}
