import Logging
import Platform
import Policies
import Store
import Synchronization

/// Run endings a driver could not write when it stopped (the store was down), written in the background
/// once the store answers again.
///
/// A run left `in_progress` under a worker that is still alive looks driven to every other worker, so its
/// thread would answer 409 until the run's deadline. The driver hands the ending over here and answers its
/// client at once; a thread of the process retries every `retryIntervalMilliseconds` on its own store
/// connection until the write lands, someone else ended the run, or the run's deadline passed (then any
/// worker expires it anyway).
public final class RunEndRetrier: Sendable {
    /// How often the background thread tries again.
    static let retryIntervalMilliseconds = 500

    /// One ending to write.
    public struct Ending: Sendable {
        /// The run to end.
        public let runId: String
        /// Its final status.
        public let status: RunStatus
        /// The error code and message stored with it.
        public let errorCode: String?
        public let errorMessage: String?
        /// Milliseconds since the epoch after which the ending is dropped (the run's deadline).
        public let giveUpAt: Int64

        /// An ending to write until `giveUpAt`.
        public init(runId: String, status: RunStatus, errorCode: String?, errorMessage: String?, giveUpAt: Int64) {
            self.runId = runId
            self.status = status
            self.errorCode = errorCode
            self.errorMessage = errorMessage
            self.giveUpAt = giveUpAt
        }
    }

    private struct State: ~Copyable {
        var endings: [Ending] = []
        var retrying = false
    }

    private let openStore: @Sendable () throws(StoreError) -> any RunStore
    private let logger: Logger
    private let state = Mutex(State())

    /// A retrier that opens its own store connection with `openStore` when it first needs one.
    public init(logger: Logger, openStore: @escaping @Sendable () throws(StoreError) -> any RunStore) {
        self.openStore = openStore
        self.logger = logger
    }

    /// The number of endings not written yet.
    public var pendingCount: Int { state.withLock { $0.endings.count } }

    /// Writes `ending` in the background, starting the retry thread when it is not running.
    public func add(_ ending: Ending) {
        let start = state.withLock { state -> Bool in
            state.endings.append(ending)
            defer { state.retrying = true }
            return !state.retrying
        }
        logger.warning("the run's end could not be stored; retrying in the background",
                       metadata: ["run_id": "\(ending.runId)", "status": "\(ending.status.rawValue)"])
        guard start else { return }
        if (try? NativeThread.start({ [self] in retryUntilEmpty() })) == nil {
            state.withLock { $0.retrying = false }
            logger.error("cannot start the run-end retry thread; the run ends at its deadline",
                         metadata: ["run_id": "\(ending.runId)"])
        }
    }

    private func retryUntilEmpty() {
        var store: (any RunStore)?
        while true {
            Sleep.milliseconds(Self.retryIntervalMilliseconds)
            let endings = state.withLock { $0.endings }
            var settled: Set<String> = []
            for ending in endings {
                if WallClock.nowMilliseconds() > ending.giveUpAt {
                    settled.insert(ending.runId)
                    continue
                }
                do throws(StoreError) {
                    let opened: any RunStore
                    if let store { opened = store } else { opened = try openStore() }
                    store = opened
                    let written = try opened.finishRun(id: ending.runId, status: ending.status, response: nil,
                                                       errorCode: ending.errorCode, errorMessage: ending.errorMessage)
                    settled.insert(ending.runId)
                    logger.notice(written ? "stored the run's end after the store came back"
                                          : "the run had been ended elsewhere meanwhile",
                                  metadata: ["run_id": "\(ending.runId)", "status": "\(ending.status.rawValue)"])
                } catch {
                    if error.code == .unavailable { store = nil }
                    break
                }
            }
            let done = state.withLock { state -> Bool in
                state.endings.removeAll { settled.contains($0.runId) }
                if state.endings.isEmpty { state.retrying = false }
                return state.endings.isEmpty
            }
            if done { return }
        }
    }
}
