/// Who trashed which copy in a user database, kept in the thread store so that restore never takes the
/// target database's word for it.
extension SQLThreadStore {
    public func recordTrashedCopy(copyKey: String, userId: String, trashedAt: Int64) throws(StoreError) {
        try ready()
        try database.run("""
            INSERT INTO trashed_copies (copy_key, user_id, trashed_at) VALUES ($1, $2, $3)
            ON CONFLICT (copy_key) DO UPDATE SET user_id = excluded.user_id, trashed_at = excluded.trashed_at
            """, [.text(copyKey), .text(userId), .integer(trashedAt)])
    }

    public func trashedCopy(copyKey: String) throws(StoreError) -> (userId: String, trashedAt: Int64)? {
        try ready()
        let rows = try database.rows("SELECT user_id, trashed_at FROM trashed_copies WHERE copy_key = $1",
                                     [.text(copyKey)])
        guard let row = rows.first, row.count == 2, let user = row[0].text else { return nil }
        return (user, row[1].integer ?? 0)
    }
}
