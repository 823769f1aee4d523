/// A configuration value that cannot be used; the worker refuses to start with it.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The environment variable or option at fault.
    public let variable: String
    /// What is wrong with it (never its value: it may be a secret).
    public let message: String

    /// Creates an error.
    public init(variable: String, message: String) {
        self.variable = variable
        self.message = message
    }

    /// `VARIABLE: message`.
    public var description: String { "\(variable): \(message)" }
}
