#if canImport(Glibc)
import Glibc
#endif

extension EnvironmentReader {
    /// Every `NAME=value` pair of this process's environment (`environ`), read without Foundation.
    public static var processVariables: [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }
}
