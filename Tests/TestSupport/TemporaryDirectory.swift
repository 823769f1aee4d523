import Foundation

/// A directory under the system temporary folder that tests own and remove when done.
///
/// It is created world-traversable (0755) so that nginx workers running as `www-data`
/// and PostgreSQL running as `postgres` can reach sockets and files inside it.
public final class TemporaryDirectory: @unchecked Sendable {
    /// Absolute path of the directory.
    public let path: String

    /// Creates a new, empty directory whose name starts with `prefix`.
    public init(prefix: String = "pgassist-test") throws {
        var template = Array("\(NSTemporaryDirectory())/\(prefix)-XXXXXX".utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TestSupportError("mkdtemp failed: errno \(errno)")
        }
        path = String(cString: created)
        chmod(path, 0o755)
    }

    /// The absolute path of `name` inside this directory.
    public func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Removes the directory and everything in it.
    public func remove() { try? FileManager.default.removeItem(atPath: path) }

    deinit { remove() }
}
