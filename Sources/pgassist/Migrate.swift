import ArgumentParser
import ChatEngine
import Platform
import Policies
import Store

/// `pgassist migrate`: bring the thread store's schema up to date and exit (workers also do it at start).
struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply the thread store's schema migrations and exit."
    )

    func run() throws {
        let environment = EnvironmentReader.processVariables
        _ = LogSetup.bootstrap(environment: environment)
        let settings = try ServeSettings(environment: environment, threads: nil, maxRequests: nil, maxBodyBytes: nil)
        let store: SQLThreadStore
        do {
            store = try settings.openStore()
            try store.migrate()
        } catch {
            throw StartupError("migration failed: \(error.debugDescription)")
        }
        print("thread store (\(store.kind.rawValue)) is up to date")
    }
}
