import JSON
import ToolsCore

/// One privilege a role held on a view, as `aclexplode` reports it, kept so restore can grant it again.
struct ViewGrant: Equatable {
    /// The role; empty for PUBLIC.
    let grantee: String
    /// `SELECT`, `INSERT`, `UPDATE`, `DELETE`, `TRUNCATE`, `REFERENCES`, `TRIGGER` or `MAINTAIN`.
    let privilege: String
    /// Whether it was held WITH GRANT OPTION.
    let grantable: Bool

    /// The privileges a relation can carry; anything else read back from the log is ignored, not pasted.
    static let privileges: Set<String> = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN"]

    /// What the trash log keeps.
    var record: JSONValue {
        .object(["grantee": .string(grantee), "privilege": .string(privilege), "grantable": .bool(grantable)])
    }

    init(grantee: String, privilege: String, grantable: Bool) {
        self.grantee = grantee
        self.privilege = privilege
        self.grantable = grantable
    }

    /// Reads a `record` back from the trash log.
    init?(record: JSONValue) {
        guard let grantee = record["grantee"]?.stringValue, let privilege = record["privilege"]?.stringValue else { return nil }
        self.init(grantee: grantee, privilege: privilege, grantable: record["grantable"]?.boolValue ?? false)
    }

    /// `GRANT … ON relation TO role`, or nil for a privilege that is not one of `privileges`.
    func statement(on relation: String) -> String? {
        guard Self.privileges.contains(privilege) else { return nil }
        let role = grantee.isEmpty ? "PUBLIC" : SQLIdentifier.quote(grantee)
        return "GRANT \(privilege) ON \(relation) TO \(role)\(grantable ? " WITH GRANT OPTION" : "")"
    }
}
