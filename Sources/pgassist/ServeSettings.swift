import ArgumentParser
import ChatEngine
import Operations
import Platform
import Policies
import Store

/// Everything a worker needs to know, from the command line and the environment (options win).
struct ServeSettings: Sendable {
    /// Request threads per process.
    let threads: Int
    /// Requests before the worker recycles itself; 0 = never.
    let maxRequests: Int
    /// Largest request body accepted, in bytes.
    let maxBodyBytes: Int
    /// Longest a request may run before the watchdog ends the worker process, in milliseconds; 0 = no limit.
    let requestTimeoutMilliseconds: Int
    /// A request running longer than this is logged as slow, in milliseconds; 0 = off.
    let slowRequestMilliseconds: Int
    /// How long requests in flight may still run after a stop signal, in milliseconds; 0 = however long.
    let stopGraceMilliseconds: Int
    /// The assistant API's settings.
    let assistant: AssistantConfiguration

    /// The request timeout when none is given: 300 s, or a minute more than the chat deadline when that is longer.
    static func defaultRequestTimeout(chatDeadlineMilliseconds: Int) -> Int {
        max(300_000, chatDeadlineMilliseconds + 60_000)
    }

    init(environment: [String: String], threads: Int?, maxRequests: Int?, maxBodyBytes: Int?,
         requestTimeoutMilliseconds: Int? = nil, slowRequestMilliseconds: Int? = nil, stopGraceMilliseconds: Int? = nil) throws {
        let reader = EnvironmentReader(environment)
        func given(_ name: String, _ option: Int?, range: ClosedRange<Int>) throws -> Int? {
            if let option { return option }
            do {
                return try reader.integer(name, in: range)
            } catch {
                throw StartupError("\(error.variable) \(error.message).")
            }
        }
        func number(_ name: String, _ option: Int?, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
            try given(name, option, range: range) ?? fallback
        }
        self.threads = try number("PGASSIST_THREADS", threads, default: 4, range: 1...256)
        self.maxRequests = try number("PGASSIST_MAX_REQUESTS", maxRequests, default: 0, range: 0...Int.max)
        self.maxBodyBytes = try number("PGASSIST_MAX_BODY_BYTES", maxBodyBytes, default: 1_048_576, range: 1...1_073_741_824)
        do {
            assistant = try AssistantConfiguration(environment: environment)
        } catch {
            throw StartupError("\(error)")
        }
        // PGASSIST_SLOW_REQUEST_MS is read once, with the chat settings (their slow-step warnings use it too).
        self.slowRequestMilliseconds = slowRequestMilliseconds ?? assistant.chat.slowStepMilliseconds
        self.stopGraceMilliseconds = try number("PGASSIST_STOP_GRACE_MS", stopGraceMilliseconds, default: 30_000,
                                                range: 0...3_600_000)

        // The hard timeout backs up the chat deadline (CHAT_DEADLINE_MS, read by AssistantConfiguration):
        // a chat turn that reaches its deadline must still have time to answer 504 and record the run.
        let deadline = assistant.chat.deadlineMilliseconds
        let unsafeTimeoutsAllowed = reader.string("PGASSIST_ALLOW_UNSAFE_TIMEOUTS") == "1"
        if let given = try given("PGASSIST_REQUEST_TIMEOUT_MS", requestTimeoutMilliseconds, range: 0...86_400_000) {
            if given != 0 && given < 1_000 {
                // Shorter lives would look like failed starts to multiwatch (its window is 500 ms by default).
                throw StartupError("PGASSIST_REQUEST_TIMEOUT_MS must be 0 (no limit) or at least 1000.")
            }
            if given != 0 && given <= deadline && !unsafeTimeoutsAllowed {
                throw StartupError("""
                    The request timeout (PGASSIST_REQUEST_TIMEOUT_MS or --request-timeout-ms, \(given) ms) must be \
                    above CHAT_DEADLINE_MS (\(deadline) ms): \
                    a chat turn may run until its deadline and must then still answer. Leave it unset for \
                    max(300000, CHAT_DEADLINE_MS + 60000).
                    """)
            }
            self.requestTimeoutMilliseconds = given
        } else {
            self.requestTimeoutMilliseconds = Self.defaultRequestTimeout(chatDeadlineMilliseconds: deadline)
        }
    }

    /// Whether the request timeout would cut chat turns short of their deadline (allowed only by
    /// `PGASSIST_ALLOW_UNSAFE_TIMEOUTS=1`, for tests that need a request held past the timeout).
    var requestTimeoutBelowChatDeadline: Bool {
        requestTimeoutMilliseconds != 0 && requestTimeoutMilliseconds <= assistant.chat.deadlineMilliseconds
    }

    /// Opens a thread store connection for the calling thread.
    func openStore() throws(StoreError) -> SQLThreadStore {
        try SQLThreadStore(location: assistant.storeLocation, busyTimeoutMilliseconds: assistant.sqliteBusyTimeoutMilliseconds,
                           sqliteDurability: assistant.sqliteDurability)
    }
}
