/// An environment variable for the model provider has an unusable value.
public struct ModelConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The variable's name, such as `OPENAI_API_STYLE`.
    public var variable: String
    /// What is wrong with it (never the value of `OPENAI_API_KEY` or of extra headers).
    public var message: String

    /// Creates an error.
    public init(variable: String, message: String) {
        self.variable = variable
        self.message = message
    }

    /// The variable and the problem.
    public var description: String { "\(variable): \(message)" }
}
