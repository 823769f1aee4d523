#if canImport(Glibc)
import Glibc
#endif
import Platform

/// The start of the commands that work on the server's existing thread store (`audit`, `stats`, `purge`).
enum ExistingStore {
    /// Sets up logging (at `LOG_LEVEL`, default `error`, so that the command's output is its answer), reads
    /// the settings, and refuses a SQLite store that does not exist: reading or purging must not create an
    /// empty store where the user mistyped the path.
    static func settings() throws -> ServeSettings {
        let environment = EnvironmentReader.processVariables
        _ = LogSetup.bootstrap(environment: environment.merging(["LOG_LEVEL": environment["LOG_LEVEL"] ?? "error"]) { $1 })
        let settings = try ServeSettings(environment: environment, threads: nil, maxRequests: nil, maxBodyBytes: nil)
        if case .sqlite(let path) = settings.assistant.storeLocation, access(path, F_OK) != 0 {
            throw StartupError("there is no thread store at \(path); set THREAD_STORE_URL to the server's store.")
        }
        return settings
    }
}
