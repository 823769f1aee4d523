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
    /// Changes to the tool description overrides, keyed by tool name: a string sets or replaces that
    /// tool's override, nil removes it; tools not named keep theirs. Nil changes none.
    ///
    /// The store merges these inside its transaction, so two administrators changing different tools
    /// at the same time both keep their change.
    public var toolDescriptions: [String: String?]?

    /// Creates an update.
    public init(name: String? = nil, model: String? = nil, instructions: String? = nil, tools: [String]? = nil,
                toolDescriptions: [String: String?]? = nil) {
        self.name = name
        self.model = model
        self.instructions = instructions
        self.tools = tools
        self.toolDescriptions = toolDescriptions
    }

    /// `current` overrides with this update's changes applied.
    public func applyingToolDescriptions(to current: [String: String]) -> [String: String] {
        guard let toolDescriptions else { return current }
        var merged = current
        for (name, description) in toolDescriptions {
            if let description { merged[name] = description } else { merged.removeValue(forKey: name) }
        }
        return merged
    }
}
