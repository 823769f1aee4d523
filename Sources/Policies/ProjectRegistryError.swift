import Platform
import Store

/// A projects file that cannot be used: unreadable, not JSON, or with a malformed entry.
///
/// The error names the file, the project ref and the field at fault, never a value from the file:
/// the file holds connection strings with passwords.
public struct ProjectRegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure; new codes can be added without breaking anyone.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code's name, e.g. `invalid_project`.
        public let rawValue: String
        /// Creates a code from its name.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The name.
        public var description: String { rawValue }

        /// The file cannot be opened or read, or is too large.
        public static let unreadable = Code(rawValue: "unreadable")
        /// The file is not JSON, or not a JSON object.
        public static let invalidJSON = Code(rawValue: "invalid_json")
        /// A project's entry is malformed: a missing or mistyped field, an unknown field or tool.
        public static let invalidProject = Code(rawValue: "invalid_project")
    }

    /// What kind of failure.
    public let code: Code
    /// The file's path.
    public let path: String
    /// The project whose entry is at fault, if one is.
    public let projectRef: String?
    /// The field at fault, if one is (`connectionString`, `tools`, …).
    public let field: String?
    /// What is wrong, without any value from the file.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, path: String, projectRef: String? = nil, field: String? = nil, message: String) {
        self.code = code
        self.path = path
        self.projectRef = projectRef
        self.field = field
        self.message = message
    }

    /// `projects file PATH: project 'REF', field 'FIELD': message`.
    public var description: String {
        var text = "projects file \(path)"
        if let projectRef { text += ": project '\(projectRef)'" }
        if let field { text += (projectRef == nil ? ": " : ", ") + "field '\(field)'" }
        return text + ": " + message
    }

    /// The same error as a startup configuration error of `PROJECTS_FILE`.
    public var configurationError: ConfigurationError {
        ConfigurationError(variable: "PROJECTS_FILE", message: description)
    }
}
