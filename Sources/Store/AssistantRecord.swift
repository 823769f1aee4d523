/// The assistant definition `/setup` writes: what the model is told and which tools it gets.
public struct AssistantRecord: Sendable, Equatable {
    /// Its id, e.g. `asst_…`; stable across updates.
    public let id: String
    /// A display name.
    public let name: String
    /// The model it runs on.
    public let model: String
    /// The system instructions.
    public let instructions: String
    /// The names of the tools it may call.
    public let tools: [String]
    /// Replacements for the registry's tool descriptions, keyed by tool name; tools not named keep their own.
    public let toolDescriptions: [String: String]
    /// Increases by one with every change; runs record the version they used.
    public let version: Int64
    /// When it was created, in milliseconds since the epoch.
    public let createdAt: Int64
    /// When it last changed, in milliseconds since the epoch.
    public let updatedAt: Int64

    /// Creates a record.
    public init(id: String, name: String, model: String, instructions: String, tools: [String],
                toolDescriptions: [String: String] = [:], version: Int64, createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.name = name
        self.model = model
        self.instructions = instructions
        self.tools = tools
        self.toolDescriptions = toolDescriptions
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
