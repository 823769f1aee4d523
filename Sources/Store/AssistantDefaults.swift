/// The values a new assistant definition starts with when `/setup` does not give them.
public struct AssistantDefaults: Sendable, Equatable {
    /// Display name.
    public var name: String
    /// Model name.
    public var model: String
    /// System instructions.
    public var instructions: String
    /// Tool names offered to the model.
    public var tools: [String]

    /// Creates defaults.
    public init(name: String, model: String, instructions: String, tools: [String]) {
        self.name = name
        self.model = model
        self.instructions = instructions
        self.tools = tools
    }
}
