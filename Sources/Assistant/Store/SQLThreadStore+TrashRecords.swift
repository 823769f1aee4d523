import ToolsCore

/// Who trashed which copy in a user database, kept in the thread store so that restore never takes the
/// target database's word for it.
extension SQLThreadStore: TrashRecordStore {
    public func recordTrashedCopy(_ record: TrashedCopyRecord) throws(ToolError) {
        try toolError { () throws(StoreError) in
            try ready()
            try database.run("""
                INSERT INTO trashed_copies (copy_key, user_id, trashed_at) VALUES ($1, $2, $3)
                ON CONFLICT (copy_key) DO UPDATE SET user_id = excluded.user_id, trashed_at = excluded.trashed_at
                """, [.text(record.copy.description), .text(record.userId), .integer(record.trashedAt)])
        }
    }

    public func trashedCopy(_ copy: TrashedCopyKey) throws(ToolError) -> TrashedCopyRecord? {
        try toolError { () throws(StoreError) -> TrashedCopyRecord? in
            try ready()
            let rows = try database.rows("SELECT user_id, trashed_at FROM trashed_copies WHERE copy_key = $1",
                                         [.text(copy.description)])
            guard let row = rows.first, row.count == 2, let user = row[0].text else { return nil }
            return TrashedCopyRecord(copy: copy, userId: user, trashedAt: row[1].integer ?? 0)
        }
    }
}
