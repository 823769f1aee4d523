import Glibc
import Logging
import Synchronization

/// Watches the requests in flight in this process, one slot per worker thread: php-fpm's
/// `request_terminate_timeout` and `request_slowlog_timeout` for a threaded worker.
///
/// A request that runs longer than the timeout cannot be cancelled on its own (its thread may sit in
/// a blocking libpq or libcurl call), so the watchdog logs it and calls its timeout action, which in a
/// worker ends the whole process (`FastCGIServer.requestTimeoutExitStatus`) for the supervisor to
/// replace; the other requests in flight in that process fail with it. A request slower than the
/// slow threshold is logged once while it runs and once, with its status, when it finishes.
final class RequestWatchdog: Sendable {
    /// Called once, on the watchdog's thread, for the first request found past the timeout; `inFlight`
    /// counts every request in flight at that moment, that one included. Need not return.
    typealias TimeoutAction = @Sendable (_ request: InFlightRequest, _ elapsedMilliseconds: Int, _ inFlight: Int) -> Void

    private let slots: Mutex<[InFlightRequest?]>
    private let timeoutMilliseconds: Int
    private let slowMilliseconds: Int
    private let logger: Logger
    private let onTimeout: TimeoutAction
    private let stopped = Atomic<Bool>(false)
    private let timedOut = Atomic<Bool>(false)

    /// - Parameters:
    ///   - slots: worker threads in the process.
    ///   - timeoutMilliseconds: longest a request may run; 0 = no limit.
    ///   - slowMilliseconds: a request running longer is logged as slow; 0 = no slow log.
    init(slots: Int, timeoutMilliseconds: Int, slowMilliseconds: Int, logger: Logger,
         onTimeout: @escaping TimeoutAction) {
        self.slots = Mutex(Array(repeating: nil, count: max(slots, 0)))
        self.timeoutMilliseconds = max(timeoutMilliseconds, 0)
        self.slowMilliseconds = max(slowMilliseconds, 0)
        self.logger = logger
        self.onTimeout = onTimeout
    }

    /// Whether a watchdog thread has anything to watch.
    var needsThread: Bool { timeoutMilliseconds > 0 || slowMilliseconds > 0 }

    /// Records that `request` started in its slot.
    func begin(_ request: InFlightRequest) {
        slots.withLock { slots in
            if slots.indices.contains(request.slot) { slots[request.slot] = request }
        }
    }

    /// Clears `slot` once its request is complete and logs the request when it was slow.
    /// `status` is the HTTP status the handler sent (nil when it wrote nothing).
    func end(slot: Int, status: Int?, at now: ContinuousClock.Instant = .now) {
        let request = slots.withLock { slots -> InFlightRequest? in
            guard slots.indices.contains(slot) else { return nil }
            defer { slots[slot] = nil }
            return slots[slot]
        }
        guard let request, slowMilliseconds > 0 else { return }
        let elapsed = request.elapsedMilliseconds(at: now)
        guard elapsed > slowMilliseconds else { return }
        logger.warning("slow request", metadata: Self.metadata(request, elapsed: elapsed).merging([
            "status": "\(status.map(String.init) ?? "-")", "slow_ms": "\(slowMilliseconds)",
        ]) { first, _ in first })
    }

    /// The requests in flight now, by slot.
    func inFlight() -> [InFlightRequest] {
        slots.withLock { $0.compactMap { $0 } }
    }

    /// One look at every slot: logs requests newly past the slow threshold, and logs and hands to
    /// the timeout action the longest-running request past the timeout (once per watchdog).
    func check(at now: ContinuousClock.Instant = .now) {
        var newlySlow: [(InFlightRequest, Int)] = []
        var overdue: (request: InFlightRequest, elapsed: Int)?
        var inFlight = 0
        slots.withLock { slots in
            for index in slots.indices {
                guard let request = slots[index] else { continue }
                inFlight += 1
                let elapsed = request.elapsedMilliseconds(at: now)
                if slowMilliseconds > 0, elapsed > slowMilliseconds, !request.reportedSlow {
                    slots[index]?.reportedSlow = true
                    newlySlow.append((request, elapsed))
                }
                if timeoutMilliseconds > 0, elapsed > timeoutMilliseconds, elapsed > overdue?.elapsed ?? -1 {
                    overdue = (request, elapsed)
                }
            }
        }
        for (request, elapsed) in newlySlow {
            logger.warning("slow request still running", metadata: Self.metadata(request, elapsed: elapsed).merging([
                "slow_ms": "\(slowMilliseconds)",
            ]) { first, _ in first })
        }
        guard let overdue, !timedOut.exchange(true, ordering: .acquiringAndReleasing) else { return }
        logger.error("request timeout: ending this worker process so that the supervisor replaces it",
                     metadata: Self.metadata(overdue.request, elapsed: overdue.elapsed).merging([
                         "timeout_ms": "\(timeoutMilliseconds)", "in_flight": "\(inFlight)", "pid": "\(getpid())",
                     ]) { first, _ in first })
        onTimeout(overdue.request, overdue.elapsed, inFlight)
    }

    /// The watchdog thread's body: checks every 100 ms until `stop()`.
    func run() {
        StopSignals.blockInCurrentThread()
        while !stopped.load(ordering: .acquiring) {
            check()
            poll(nil, 0, 100)
        }
    }

    /// Ends `run` within 100 ms.
    func stop() {
        stopped.store(true, ordering: .releasing)
    }

    /// The fields every watchdog log line carries; `duration_ms` is how long the request has run so far.
    static func metadata(_ request: InFlightRequest, elapsed: Int) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "slot": "\(request.slot)", "method": "\(request.method)", "path": "\(request.path)",
            "duration_ms": .stringConvertible(elapsed),
        ]
        if let id = request.requestID { metadata["request_id"] = "\(id)" }
        return metadata
    }
}
