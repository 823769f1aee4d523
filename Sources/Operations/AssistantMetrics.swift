import Logging
import Model
import Platform
import SharedCounters
import Store
import Synchronization

/// The worker's operational counters: requests by endpoint and status with their latencies, model calls,
/// tokens and retries, tool calls. They live in a counter file every worker process of the pool maps
/// (see `MetricsFileLocation`), so `GET /metrics` on any worker reports the whole pool.
///
/// Recording is a few atomic additions to this process's own slot: no lock, no system call, no store write.
///
/// The executable opens one per process (`open(tools:)`) and hands it to every part that records.
public final class AssistantMetrics: Sendable {
    /// The process's metrics, from `PGASSIST_METRICS_FILE` or the inherited socket's neighbourhood, counting
    /// the calls of the tools named `tools` (others as `other`); also counts the model client's retries.
    public static func open(tools: [String]) -> AssistantMetrics {
        let metrics = open(candidates: MetricsFileLocation.candidates(), catalog: MetricCatalog(tools: tools))
        ProviderRetries.observe { [metrics] code in metrics.recordRetry(code) }
        return metrics
    }

    private let catalog: MetricCatalog
    private let file: CounterFile
    private let slot: CounterSlot
    /// What to log once about where the counters live (or why they are not shared).
    private let setup: (level: Logger.Level, message: String)
    private let setupLogged = Atomic<Bool>(false)

    /// Metrics in memory private to this process, counting the calls of the tools named `tools` (tests, tools).
    public static func processPrivate(tools: [String] = []) -> AssistantMetrics {
        let catalog = MetricCatalog(tools: tools)
        return AssistantMetrics(file: CounterFile(privateWith: catalog.layout), catalog: catalog)
    }

    /// Metrics on `file`, claiming a slot for this process (the shared retired slot when none is free).
    init(file: CounterFile, catalog: MetricCatalog, setup: (level: Logger.Level, message: String)? = nil) {
        self.catalog = catalog
        self.file = file
        if let claimed = file.claimSlot() {
            slot = claimed
            self.setup = setup ?? (.info, file.path.map { "metrics are shared through \($0)" } ?? "metrics are kept per process")
        } else {
            slot = file.overflowSlot
            self.setup = (.warning, "every slot of the metrics file \(file.path ?? "") belongs to a live process; "
                          + "this worker's counts go to the shared retired slot and it is not listed on its own")
        }
    }

    /// Opens the first of `candidates` that can be opened (or its layout's sibling when it holds another
    /// layout); process-private memory when none can.
    static func open(candidates: [String], catalog: MetricCatalog) -> AssistantMetrics {
        let layout = catalog.layout
        var problems: [String] = []
        for path in candidates {
            for candidate in [path, MetricsFileLocation.sibling(of: path, signature: layout.signature)] {
                do {
                    return AssistantMetrics(file: try CounterFile(path: candidate, layout: layout), catalog: catalog)
                } catch {
                    problems.append("\(error)")
                    if error.code != .layoutMismatch { break }
                }
            }
        }
        let reason = problems.isEmpty ? nil : problems.joined(separator: "; ")
        return AssistantMetrics(file: CounterFile(privateWith: layout), catalog: catalog, setup: reason.map {
            (.warning, "metrics are kept per process (GET /metrics shows only the worker that answers): \($0)")
        })
    }

    /// The counter file, nil when the counters are this process's only.
    public var path: String? { file.path }

    /// Logs where the counters live, once per process (every request thread's API calls this).
    public func logSetup(_ logger: Logger) {
        guard !setupLogged.exchange(true, ordering: .relaxed) else { return }
        logger.log(level: setup.level, "\(setup.message)")
    }

    // MARK: Recording

    /// Counts one answered request of `endpoint` with `status` that took `microseconds`.
    public func recordRequest(_ endpoint: RequestEndpoint, status: Int, microseconds: UInt64) {
        slot.add(catalog.request(endpoint, statusColumn: MetricCatalog.statusColumn(status)))
        slot.add(catalog.latencyBucket(endpoint, microseconds: microseconds))
        slot.add(catalog.latencySum(endpoint), microseconds)
    }

    /// Counts one model call: its outcome and, when it answered, its tokens.
    public func recordModelCall(_ outcome: Result<ModelResponse, ModelError>) {
        switch outcome {
        case .success(let response):
            slot.add(catalog.modelCall(outcomeColumn: 0))
            slot.add(catalog.modelTokens(kindColumn: 0), UInt64(max(response.usage.inputTokens, 0)))
            slot.add(catalog.modelTokens(kindColumn: 1), UInt64(max(response.usage.outputTokens, 0)))
        case .failure(let error):
            slot.add(catalog.modelCall(outcomeColumn: MetricCatalog.outcomeColumn(error.code)))
        }
    }

    /// Counts one retried model request, by the error of the attempt that failed.
    func recordRetry(_ code: ModelError.Code) {
        slot.add(catalog.modelRetry(reasonColumn: MetricCatalog.outcomeColumn(code)))
    }

    /// Counts one finished tool call.
    public func recordToolCall(_ name: String, success: Bool) {
        slot.add(catalog.toolCall(toolColumn: catalog.toolColumn(name), success: success))
    }

    /// The Prometheus text of the pool's counters at `now` (ms since the epoch), with the store's active
    /// runs (nil when the store did not answer).
    public func exposition(activeRuns: [RunStatus: Int]?, now: Int64 = WallClock.nowMilliseconds()) -> String {
        MetricsExposition(catalog: catalog, snapshot: file.snapshot(), activeRuns: activeRuns, shared: file.isShared,
                          now: now).text
    }

    /// Microseconds from `start` to now.
    public static func microseconds(since start: ContinuousClock.Instant) -> UInt64 {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return UInt64(max(seconds, 0)) * 1_000_000 + UInt64(max(attoseconds, 0) / 1_000_000_000_000)
    }
}
