import Store
/// One project of the server-side project list: its database and what the model may do there.
///
/// `description` leaves the connection string out, so logging or printing an entry cannot leak it.
public struct ProjectEntry: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The project ref the entry is listed under.
    public let ref: String
    /// The libpq connection string of the project's database (a secret).
    public let connectionString: String
    /// The tools the model is offered, in the tool registry's order: `tools` from the file (default
    /// all), without the write tools when `readOnly`.
    public let toolNames: [String]
    /// Whether the project is read-only (`readOnly`; default false).
    public let readOnly: Bool
    /// The role `run_sql` switches to with `SET LOCAL ROLE` (`readOnlyRole`), when set.
    public let readOnlyRole: String?
    /// The login `run_sql` uses (`readOnlyConnectionString`: libpq options replacing the connection string's
    /// own, usually `user=… password=…`), when set; a secret.
    public let readOnlyConnection: String?
    /// Tools this project puts under the user's approval, besides the deployment's (`approvalTools`).
    public let approvalTools: Set<String>
    /// How much of this project's data the model receives (`dataSharing`), when set; else `DATA_SHARING`'s level.
    public var dataSharing: DataSharing? = nil
    /// Columns (`schema.table.column`) and relations (`schema.table`) whose values never reach the model,
    /// besides the deployment's (`sensitiveColumns`).
    public let sensitiveColumns: [String]

    /// Creates an entry; `toolNames` should already be filtered (see `ProjectFile`).
    public init(ref: String, connectionString: String, toolNames: [String], readOnly: Bool = false,
                readOnlyRole: String? = nil, readOnlyConnection: String? = nil, approvalTools: Set<String> = [],
                sensitiveColumns: [String] = []) {
        self.ref = ref
        self.connectionString = connectionString
        self.toolNames = toolNames
        self.readOnly = readOnly
        self.readOnlyRole = readOnlyRole
        self.readOnlyConnection = readOnlyConnection
        self.approvalTools = approvalTools
        self.sensitiveColumns = sensitiveColumns
    }

    /// The entry without its connection string.
    public var description: String {
        "ProjectEntry(ref: \(ref), tools: \(toolNames), readOnly: \(readOnly), readOnlyRole: \(readOnlyRole ?? "none"), "
            + "readOnlyConnection: \(readOnlyConnection == nil ? "none" : "set"), "
            + "approvalTools: \(approvalTools.sorted()), sensitiveColumns: \(sensitiveColumns), dataSharing: \(dataSharing?.rawValue ?? "default"))"
    }

    /// Same as `description`: the connection string stays out of debug output too.
    public var debugDescription: String { description }
}
