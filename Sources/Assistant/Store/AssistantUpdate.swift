/// The fields `/setup` may change; nil leaves a field as it is (or at its default when creating).
public struct AssistantUpdate: Sendable, Equatable {
    /// A new display name.
    public var name: String?
    /// A new model.
    public var model: String?
    /// New system instructions.
    public var instructions: String?
    /// The tool names to offer (set by the server, not by clients).
    public var tools: [String]?

    /// Creates an update.
    public init(name: String? = nil, model: String? = nil, instructions: String? = nil, tools: [String]? = nil) {
        self.name = name
        self.model = model
        self.instructions = instructions
        self.tools = tools
    }
}
