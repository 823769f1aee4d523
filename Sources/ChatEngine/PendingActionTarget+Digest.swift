import Crypto
import JSON
import Policies
import Store
import ToolsCore

extension PendingActionTarget {
    /// The target of calls made for `projectRef` on `database` (nil: no database): the SHA-256, in hex, of the
    /// project ref and the database's identity (server, database and role; `DatabaseAccess.identity`). The
    /// store keeps only this digest, never a connection string or a password.
    public init(projectRef: String, database: DatabaseAccess?) {
        let parts: [JSONValue] = [.string("pgassist approval target 1"), .string(projectRef),
                                  database.map { .string($0.identity) } ?? .null]
        self.init(key: SHA256.hex(Array(JSONValue.array(parts).serialized().utf8)))
    }
}
