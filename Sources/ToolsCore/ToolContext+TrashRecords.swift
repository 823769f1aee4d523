extension ToolContext {
    /// The store that records who trashed each copy: the approval store, when it keeps those records too
    /// (the thread store does). Without one, every copy counts as another user's, so restoring asks approval.
    package var trashRecords: (any TrashRecordStore)? { actions as? any TrashRecordStore }
}
