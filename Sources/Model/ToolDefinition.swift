import JSON

/// A function the model may call.
public struct ToolDefinition: Sendable, Equatable {
    /// The function's name (`[a-zA-Z0-9_-]{1,64}`).
    public var name: String
    /// What the function does, for the model.
    public var description: String
    /// The JSON Schema of the arguments object.
    public var parameters: JSONValue

    /// Creates a tool definition.
    public init(name: String, description: String, parameters: JSONValue) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}
