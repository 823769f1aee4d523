/// A reason the worker cannot start (bad configuration, unusable store); printed as `Error: …`, exit status 1.
struct StartupError: Error, CustomStringConvertible {
    /// What is wrong and what to change.
    let description: String

    init(_ description: String) { self.description = description }
}
