import Store
#if canImport(Glibc)
import Glibc
#endif
import JSON
import Postgres

/// Reads and checks a projects file: a JSON object mapping each project ref to
/// `{"connectionString", "tools"?, "readOnly"?, "readOnlyRole"?, "readOnlyConnectionString"?, "approvalTools"?,
/// "sensitiveColumns"?, "dataSharing"?}`.
enum ProjectFile {
    /// The fields an entry may have.
    static let fields = ["connectionString", "tools", "readOnly", "readOnlyRole", "readOnlyConnectionString", "approvalTools",
                         "sensitiveColumns", "dataSharing"]
    /// The largest file read, in bytes.
    static let maxBytes = 16 * 1024 * 1024

    /// Reads the file at `path` and checks every entry against `knownTools`.
    static func load(path: String, knownTools: [KnownTool]) throws(ProjectRegistryError) -> [String: ProjectEntry] {
        try parse(try read(path: path), path: path, knownTools: knownTools)
    }

    /// Checks the JSON text `bytes`; `path` only names the file in errors.
    static func parse(_ bytes: [UInt8], path: String, knownTools: [KnownTool]) throws(ProjectRegistryError) -> [String: ProjectEntry] {
        // The decoder's own messages can quote the text around the error: keep them out.
        guard let document = try? JSONValue.parse(bytes) else { throw failure(path, nil, nil, "the file is not valid JSON") }
        guard let members = document.objectValue else {
            throw failure(path, nil, nil, "the file must hold a JSON object mapping project refs to their settings")
        }
        var projects: [String: ProjectEntry] = [:]
        for ref in members.keys.sorted() {
            // Refs are named in errors and logs, so they must not be able to hold a pasted secret.
            guard isPlainName(ref) else {
                throw ProjectRegistryError(.invalidProject, path: path, message: "a project ref is not 1 to 64 letters, "
                                               + "digits, '-', '_' or '.' (it is not shown here in case it is a secret)")
            }
            guard let entry = members[ref]?.objectValue else { throw failure(path, ref, nil, "the entry must be a JSON object") }
            projects[ref] = try EntryReader(path: path, ref: ref, entry: entry, knownTools: knownTools).read()
        }
        return projects
    }

    private static func failure(_ path: String, _ ref: String?, _ field: String?, _ message: String) -> ProjectRegistryError {
        ProjectRegistryError(ref == nil && field == nil ? .invalidJSON : .invalidProject,
                             path: path, projectRef: ref, field: field, message: message)
    }

    /// Checks the fields of one entry, in a fixed order, so the same file always gives the same error.
    private struct EntryReader {
        let path: String
        let ref: String
        let entry: [String: JSONValue]
        let knownTools: [KnownTool]

        func read() throws(ProjectRegistryError) -> ProjectEntry {
            if let unknown = entry.keys.sorted().first(where: { !ProjectFile.fields.contains($0) }) {
                let known = "an entry has \(ProjectFile.fields.joined(separator: ", "))"
                throw ProjectFile.isPlainName(unknown) ? failure(unknown, "is not a known field; \(known)")
                    : failure(nil, "has a field that is not known (not shown); \(known)")
            }
            let connectionString = try self.connectionString()
            let readOnly = try self.readOnly()
            let readOnlyRole = try self.readOnlyRole()
            let readOnlyConnection = try self.readOnlyConnection()
            let tools = try toolList("tools") ?? Set(knownTools.map(\.name))
            let approvalTools = try toolList("approvalTools") ?? []
            let sensitiveColumns = try self.sensitiveColumns()
            let offered = knownTools.filter { tools.contains($0.name) && (!readOnly || $0.isReadOnly) }.map(\.name)
            var project = ProjectEntry(ref: ref, connectionString: connectionString, toolNames: offered,
                                       readOnly: readOnly, readOnlyRole: readOnlyRole,
                                       readOnlyConnection: readOnlyConnection, approvalTools: approvalTools,
                                       sensitiveColumns: sensitiveColumns)
            project.dataSharing = try dataSharing()
            return project
        }

        private func failure(_ field: String?, _ message: String) -> ProjectRegistryError {
            ProjectFile.failure(path, ref, field, message)
        }

        private func connectionString() throws(ProjectRegistryError) -> String {
            guard case .string(let connectionString)? = entry["connectionString"] else {
                throw failure("connectionString", entry["connectionString"] == nil ? "is missing" : "must be a string")
            }
            guard ConnectionInfo.isConnectionString(connectionString),
                  (try? ConnectionInfo(parsing: connectionString)) != nil else {
                throw failure("connectionString", "is not a postgresql:// URI or key=value connection string libpq can parse")
            }
            return connectionString
        }

        private func readOnly() throws(ProjectRegistryError) -> Bool {
            switch entry["readOnly"] {
            case nil, .null?: return false
            case .bool(let flag)?: return flag
            default: throw failure("readOnly", "must be true or false")
            }
        }

        private func readOnlyRole() throws(ProjectRegistryError) -> String? {
            switch entry["readOnlyRole"] {
            case nil, .null?: return nil
            case .string(let role)? where !role.isEmpty && !role.utf8.contains(0): return role
            default: throw failure("readOnlyRole", "must be a non-empty string")
            }
        }

        private func readOnlyConnection() throws(ProjectRegistryError) -> String? {
            switch entry["readOnlyConnectionString"] {
            case nil, .null?: return nil
            case .string(let login)? where ConnectionInfo.isConnectionString(login) && (try? ConnectionInfo(parsing: login)) != nil:
                return login
            default:
                throw failure("readOnlyConnectionString", "must be libpq options such as 'user=reader password=…' or a connection string")
            }
        }

        private func dataSharing() throws(ProjectRegistryError) -> DataSharing? {
            switch entry["dataSharing"] {
            case nil, .null?: return nil
            case .string(let name)?: if let level = DataSharing(name: name) { return level }
            default: break
            }
            throw failure("dataSharing", "must be \"schema\" or \"data\"")
        }

        /// `schema.table.column` or `schema.table` entries (the same shape `SENSITIVE_COLUMNS` takes).
        private func sensitiveColumns() throws(ProjectRegistryError) -> [String] {
            switch entry["sensitiveColumns"] {
            case nil, .null?: return []
            case .array(let elements)?:
                return try elements.enumerated().map { (index, element) throws(ProjectRegistryError) -> String in
                    let parts = element.stringValue?.split(separator: ".", omittingEmptySubsequences: false) ?? []
                    guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && !$0.contains(" ") }),
                          let text = element.stringValue else {
                        throw failure("sensitiveColumns", "entry \(index + 1) is not schema.table.column or schema.table")
                    }
                    return text
                }
            default: throw failure("sensitiveColumns", "must be an array of schema.table.column or schema.table entries")
            }
        }

        private func toolList(_ field: String) throws(ProjectRegistryError) -> Set<String>? {
            switch entry[field] {
            case nil, .null?: return nil
            case .array(let elements)?:
                var names: Set<String> = []
                for (index, element) in elements.enumerated() {
                    guard let name = element.stringValue, knownTools.contains(where: { $0.name == name }) else {
                        throw failure(field, "entry \(index + 1) is not a known tool; the tools are "
                                          + knownTools.map(\.name).joined(separator: ", "))
                    }
                    names.insert(name)
                }
                return names
            default: throw failure(field, "must be an array of tool names")
            }
        }
    }

    /// Whether `name` is 1–64 ASCII letters, digits, `-`, `_` or `.`: safe to name in errors and logs.
    static func isPlainName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F || byte == 0x2E
        }
    }

    /// The file's bytes; at most `maxBytes`.
    static func read(path: String) throws(ProjectRegistryError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ProjectRegistryError(.unreadable, path: path, message: "cannot be opened (errno \(errno))")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw ProjectRegistryError(.unreadable, path: path, message: "cannot be read (errno \(errno))")
            }
            bytes.append(contentsOf: buffer[..<count])
            guard bytes.count <= maxBytes else {
                throw ProjectRegistryError(.unreadable, path: path, message: "is larger than \(maxBytes) bytes")
            }
        }
        return bytes
    }
}
