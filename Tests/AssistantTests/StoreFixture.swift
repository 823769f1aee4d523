import AssistantHTTP
import ChatEngine
import Foundation
import Operations
import Policies
import Store
import TestSupport

/// A fresh, empty thread store of one kind, with a way to open more connections to it
/// (as other worker threads or processes would).
final class StoreFixture: @unchecked Sendable {
    let kind: StoreKind
    let location: StoreLocation
    private let directory: TemporaryDirectory?

    init(_ kind: StoreKind) throws {
        self.kind = kind
        switch kind {
        case .sqlite:
            let directory = try TemporaryDirectory(prefix: "pgassist-store")
            self.directory = directory
            location = .sqlite(path: directory.file("var/threads.db"))
        case .postgres:
            directory = nil
            location = .postgres(connectionString: try PostgresServer.shared().createDatabase(prefix: "store"))
        }
    }

    /// A new connection to the store, as one worker thread holds.
    func open() throws -> SQLThreadStore {
        try SQLThreadStore(location: location, busyTimeoutMilliseconds: 10_000)
    }
}
