import Foundation

/// Where the things under test are: the repository checkout and the built `pgassist` binary.
public enum TestEnvironment {
    /// The repository root (the folder holding Package.swift), found from this source file.
    public static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url.path
            }
        }
        return FileManager.default.currentDirectoryPath
    }()

    /// The `pgassist` executable that `swift test` built beside the test bundle, or `PGASSIST_BIN`.
    public static let pgassistBinary: String = {
        if let path = ProcessInfo.processInfo.environment["PGASSIST_BIN"], !path.isEmpty { return path }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var folder = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The test bundle may sit inside `X.xctest/` folders on some layouts: walk up to find the binary.
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("pgassist").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        return "\(repositoryRoot)/.build/debug/pgassist"
    }()

    /// The shared read-only folder (`../shared` beside the checkout), when this clone has one.
    public static var sharedFolder: String? {
        let path = URL(fileURLWithPath: repositoryRoot).deletingLastPathComponent().appendingPathComponent("shared").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }
}
