/// Where pgassist records who moved each copy into a database's trash. Restore asks this store, never the
/// target database, whether a copy is the user's own (which decides whether approval is needed): a row in
/// the target database could be written by any role able to write there. The thread store implements it.
public protocol TrashRecordStore: AnyObject {
    /// Records that `record.userId` trashed the copy `record.copy`.
    func recordTrashedCopy(_ record: TrashedCopyRecord) throws(ToolError)
    /// Who trashed `copy`, or nil when this store never saw it trashed.
    func trashedCopy(_ copy: TrashedCopyKey) throws(ToolError) -> TrashedCopyRecord?
}

/// One copy in one database's trash, named so that a copy in another database (another cluster included)
/// does not match by accident: the database's name, the trashed table's OID and its name in the trash.
public struct TrashedCopyKey: Sendable, Hashable, CustomStringConvertible {
    /// `current_database()` of the target.
    public let database: String
    /// The trashed table's OID there (it keeps its OID through renames and `SET SCHEMA`).
    public let tableOid: String
    /// Its name in `pgassist_trash`.
    public let trashedName: String

    /// Creates a key.
    public init(database: String, tableOid: String, trashedName: String) {
        self.database = database
        self.tableOid = tableOid
        self.trashedName = trashedName
    }

    /// `database/oid/trashedName`, as the store keeps it.
    public var description: String { "\(database)/\(tableOid)/\(trashedName)" }
}

/// Who trashed a copy, and when.
public struct TrashedCopyRecord: Sendable, Equatable {
    /// The copy.
    public let copy: TrashedCopyKey
    /// The user whose approved drop moved it.
    public let userId: String
    /// When, in milliseconds since the epoch.
    public let trashedAt: Int64

    /// Creates a record.
    public init(copy: TrashedCopyKey, userId: String, trashedAt: Int64) {
        self.copy = copy
        self.userId = userId
        self.trashedAt = trashedAt
    }
}
