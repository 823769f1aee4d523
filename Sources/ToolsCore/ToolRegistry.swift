import JSON

/// Every tool the model can call, and their OpenAI function definitions.
public struct ToolRegistry: Sendable {
    /// The tools, in the order they are offered.
    public let tools: [any Tool]

    /// A registry of `tools`.
    public init(tools: [any Tool]) { self.tools = tools }

    /// The names, in order.
    public var names: [String] { tools.map(\.name) }

    /// The tool called `name`, or nil.
    public func tool(named name: String) -> (any Tool)? { tools.first { $0.name == name } }

    /// Function definitions in the Responses API shape: `{type: "function", name, description, parameters, strict: true}`.
    public var responsesDefinitions: JSONValue {
        .array(tools.map { tool in
            .object(["type": .string("function"), "name": .string(tool.name), "description": .string(tool.description),
                     "parameters": tool.parameters, "strict": .bool(true)])
        })
    }

    /// Function definitions in the Chat Completions shape: `{type: "function", function: {name, description, parameters, strict: true}}`.
    public var chatCompletionsDefinitions: JSONValue {
        .array(tools.map { tool in
            .object(["type": .string("function"),
                     "function": .object(["name": .string(tool.name), "description": .string(tool.description),
                                          "parameters": tool.parameters, "strict": .bool(true)])])
        })
    }

    /// Runs `name` with the model's `arguments` (a JSON text) and returns the result rendered within the
    /// output budget. Unknown tools and malformed arguments are tool errors, never crashes.
    public func run(_ name: String, arguments: String, context: ToolContext) -> (result: ToolResult, rendered: String) {
        let result: ToolResult
        if let tool = tool(named: name) {
            do {
                result = tool.execute(try ToolArguments.parse(arguments), context: context)
            } catch {
                result = .failure(error)
            }
        } else {
            result = .failure(ToolError(.unknownTool, "There is no tool called '\(name)'; available: \(names.joined(separator: ", "))."))
        }
        return (result, result.rendered(budget: context.settings.outputBudgetBytes))
    }
}
