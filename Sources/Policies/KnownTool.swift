/// A tool as the project file may name it: its name, and whether it only reads (a read-only project is offered
/// only those). The executable lists the tools it ships; policies know nothing else about them.
public struct KnownTool: Sendable, Equatable {
    /// The name the model calls, e.g. `run_sql`.
    public let name: String
    /// Whether the tool only reads.
    public let isReadOnly: Bool

    /// A tool called `name`.
    public init(name: String, isReadOnly: Bool) {
        self.name = name
        self.isReadOnly = isReadOnly
    }
}
