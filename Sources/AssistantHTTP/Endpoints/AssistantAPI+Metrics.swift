import ChatEngine
import HTTP
import Operations
import Policies
import Store

extension AssistantAPI {
    /// `GET /metrics`: the pool's counters in Prometheus's text format, plus the store's active runs.
    /// A store that does not answer leaves the active-runs gauge out (`pgassist_store_up 0`); the rest is
    /// still served with 200, since the counters do not need the store.
    func metrics(_ request: HTTPRequest) -> HTTPResponse {
        let metrics = resources.metrics
        var activeRuns: [RunStatus: Int]?
        do {
            activeRuns = try (store as? any StatisticsStore)?.activeRunCounts()
        } catch {
            logger.warning("metrics: the store did not answer the active-runs query",
                           metadata: ["error": "\(error.debugDescription)"])
        }
        return HTTPResponse(status: 200, headers: [("Content-Type", PrometheusText.contentType)],
                            body: Array(metrics.exposition(activeRuns: activeRuns).utf8))
    }
}
