/// What `pgassist grant-role` is asked for: the role, the schemas it may read, and its attributes.
public struct RoleOptions: Sendable, Equatable {
    /// The role's name (`pgassist_reader` by default); quoted wherever it is written.
    public var role: String
    /// The schemas to grant, or nil for every user schema (neither system, platform nor the trash).
    public var schemas: [String]?
    /// Whether the role bypasses row-level security (needs a superuser connection).
    public var bypassRLS: Bool
    /// Whether the role may log in, with a new generated password.
    public var login: Bool

    /// The options as given.
    public init(role: String = "pgassist_reader", schemas: [String]? = nil, bypassRLS: Bool = false, login: Bool = false) {
        self.role = role
        self.schemas = schemas
        self.bypassRLS = bypassRLS
        self.login = login
    }
}

/// Why `grant-role` could not do what it was asked; `description` is the message for the user.
public struct RoleSetupError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the fix where there is one.
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}
