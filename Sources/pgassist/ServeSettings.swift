import ArgumentParser
import Assistant

/// Everything a worker needs to know, from the command line and the environment (options win).
struct ServeSettings: Sendable {
    /// Request threads per process.
    let threads: Int
    /// Requests before the worker recycles itself; 0 = never.
    let maxRequests: Int
    /// Largest request body accepted, in bytes.
    let maxBodyBytes: Int
    /// The assistant API's settings.
    let assistant: AssistantConfiguration

    init(environment: [String: String], threads: Int?, maxRequests: Int?, maxBodyBytes: Int?) throws {
        func number(_ name: String, _ option: Int?, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
            if let option { return option }
            guard let text = environment[name], !text.isEmpty else { return fallback }
            guard let value = Int(text), range.contains(value) else {
                throw StartupError("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound).")
            }
            return value
        }
        self.threads = try number("PGASSIST_THREADS", threads, default: 4, range: 1...256)
        self.maxRequests = try number("PGASSIST_MAX_REQUESTS", maxRequests, default: 0, range: 0...Int.max)
        self.maxBodyBytes = try number("PGASSIST_MAX_BODY_BYTES", maxBodyBytes, default: 1_048_576, range: 1...1_073_741_824)
        do {
            assistant = try AssistantConfiguration(environment: environment)
        } catch {
            throw StartupError("\(error)")
        }
    }

    /// Opens a thread store connection for the calling thread.
    func openStore() throws(StoreError) -> SQLThreadStore {
        try SQLThreadStore(location: assistant.storeLocation, busyTimeoutMilliseconds: assistant.sqliteBusyTimeoutMilliseconds)
    }
}
