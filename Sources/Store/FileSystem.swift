#if canImport(Glibc)
import Glibc
#endif

/// The little file-system work the store needs, without Foundation.
enum FileSystem {
    /// Creates the folder holding `path` (and its parents) when missing; errors surface later when the file is opened.
    static func createParentDirectory(of path: String) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        createDirectory(String(path[..<slash]))
    }

    private static func createDirectory(_ path: String) {
        if access(path, F_OK) == 0 { return }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            createDirectory(String(path[..<slash]))
        }
        mkdir(path, 0o755)
    }
}
