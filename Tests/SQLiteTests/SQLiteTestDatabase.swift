import Foundation
import SQLite

/// A database file in its own temporary directory, removed when the value is released.
final class SQLiteTestDatabase {
    let directory: String
    var path: String { "\(directory)/test.sqlite" }

    init() throws {
        var template = Array("\(NSTemporaryDirectory())/sqlite-test-XXXXXX".utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw CocoaError(.fileWriteUnknown)
        }
        directory = String(cString: created)
    }

    func connect(busyTimeoutMilliseconds: Int32 = 5000) throws -> SQLiteConnection {
        try SQLiteConnection(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }
}
