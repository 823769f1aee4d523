#if canImport(Glibc)
import Glibc
#endif

/// The system refused to start a thread (too many threads, no memory for the stack).
public struct NativeThreadError: Error, Sendable, CustomStringConvertible {
    /// The call that failed, such as `pthread_create`.
    public let call: String
    /// The error number it returned (`EAGAIN`, `EINVAL`, …).
    public let code: Int32

    /// Creates an error.
    public init(call: String, code: Int32) {
        self.call = call
        self.code = code
    }

    /// `call failed: reason`, e.g. `pthread_create failed: Resource temporarily unavailable`.
    public var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
}
