/// An error raised by a test helper when a process or file it needs is not there.
public struct TestSupportError: Error, CustomStringConvertible {
    /// What went wrong, for the test log.
    public let description: String

    /// Creates an error with a message for the test log.
    public init(_ description: String) { self.description = description }
}
