import SharedCounters
import Store

/// The body of `GET /metrics`: the pool's counters (summed over every worker process, including the ones
/// that are gone), the store's active runs, and each live worker's uptime and requests served.
struct MetricsExposition {
    let catalog: MetricCatalog
    let snapshot: CounterSnapshot
    /// Runs per active status, nil when the store did not answer.
    let activeRuns: [RunStatus: Int]?
    /// Whether the counters are shared by the pool (else they are this process's only).
    let shared: Bool
    /// The time of the scrape, in milliseconds since the Unix epoch.
    let now: Int64

    var text: String {
        var out = PrometheusText()
        appendRequests(to: &out)
        appendRequestDurations(to: &out)
        appendModelCalls(to: &out)
        appendToolCalls(to: &out)
        appendStore(to: &out)
        appendWorkers(to: &out)
        return out.text
    }

    /// The status label of each column of the request counters: the listed statuses, then `other`.
    private static let statusLabels = MetricCatalog.statuses.map(String.init) + ["other"]

    private func appendRequests(to out: inout PrometheusText) {
        let totals = snapshot.totals
        out.family("pgassist_http_requests_total", "counter", help: "Requests answered, by endpoint, method and status.")
        for endpoint in RequestEndpoint.allCases {
            for (column, status) in Self.statusLabels.enumerated() {
                let value = totals[catalog.request(endpoint, statusColumn: column)]
                guard value > 0 else { continue }
                out.sample("pgassist_http_requests_total",
                           ["endpoint": endpoint.name, "method": endpoint.method, "status": status], value)
            }
        }
    }

    private func appendRequestDurations(to out: inout PrometheusText) {
        let totals = snapshot.totals
        out.family("pgassist_http_request_duration_seconds", "histogram",
                   help: "Time from the request reaching the worker to the end of its answer (a stream's last event).")
        for endpoint in RequestEndpoint.allCases {
            var cumulative: UInt64 = 0
            var buckets: [(String, UInt64)] = []
            for column in 0...MetricCatalog.latencyBounds.count {
                cumulative += totals[catalog.latencyBucket(endpoint, column: column)]
                let bound = column < MetricCatalog.latencyBounds.count
                    ? PrometheusText.format(Double(MetricCatalog.latencyBounds[column]) / 1_000_000) : "+Inf"
                buckets.append((bound, cumulative))
            }
            // Routes always show their histogram; `other` only once something fell there.
            guard endpoint != .other || cumulative > 0 else { continue }
            let name = "pgassist_http_request_duration_seconds"
            for (bound, count) in buckets {
                out.sample(name + "_bucket", ["endpoint": endpoint.name, "method": endpoint.method, "le": bound], count)
            }
            out.sample(name + "_sum", ["endpoint": endpoint.name, "method": endpoint.method],
                       Double(totals[catalog.latencySum(endpoint)]) / 1_000_000)
            out.sample(name + "_count", ["endpoint": endpoint.name, "method": endpoint.method], cumulative)
        }
    }

    private func appendModelCalls(to out: inout PrometheusText) {
        let totals = snapshot.totals
        out.family("pgassist_model_calls_total", "counter", help: "Model calls by outcome (ok, or the error code).")
        for (column, outcome) in MetricCatalog.modelOutcomes.enumerated() {
            let value = totals[catalog.modelCall(outcomeColumn: column)]
            if value > 0 || column == 0 { out.sample("pgassist_model_calls_total", ["outcome": outcome], value) }
        }
        out.family("pgassist_model_tokens_total", "counter", help: "Tokens of answered model calls, input and output.")
        for (column, kind) in MetricCatalog.tokenKinds.enumerated() {
            out.sample("pgassist_model_tokens_total", ["type": kind], totals[catalog.modelTokens(kindColumn: column)])
        }
        out.family("pgassist_model_retries_total", "counter",
                   help: "Model requests retried, by the error of the attempt that failed.")
        for (column, reason) in MetricCatalog.modelOutcomes.enumerated() where column > 0 {
            let value = totals[catalog.modelRetry(reasonColumn: column)]
            if value > 0 { out.sample("pgassist_model_retries_total", ["reason": reason], value) }
        }
    }

    private func appendToolCalls(to out: inout PrometheusText) {
        let totals = snapshot.totals
        out.family("pgassist_tool_calls_total", "counter", help: "Tool calls whose result was recorded, by tool and outcome.")
        for (toolColumn, tool) in catalog.tools.enumerated() {
            for success in [true, false] {
                let value = totals[catalog.toolCall(toolColumn: toolColumn, success: success)]
                guard value > 0 || tool != "other" else { continue }
                out.sample("pgassist_tool_calls_total", ["tool": tool, "outcome": success ? "success" : "failure"], value)
            }
        }
    }

    private func appendStore(to out: inout PrometheusText) {
        if let activeRuns {
            out.family("pgassist_active_runs", "gauge", help: "Runs in an active status in the store (all workers and hosts).")
            for status in [RunStatus.queued, .inProgress, .requiresAction] {
                out.sample("pgassist_active_runs", ["status": status.rawValue], UInt64(activeRuns[status] ?? 0))
            }
        }
        out.family("pgassist_store_up", "gauge", help: "1 when the store answered the active-runs query of this scrape.")
        out.sample("pgassist_store_up", [:], UInt64(activeRuns == nil ? 0 : 1))
    }

    private func appendWorkers(to out: inout PrometheusText) {
        out.family("pgassist_metrics_shared", "gauge",
                   help: "1 when these counters are summed over the pool's workers, 0 when they are the answering worker's only.")
        out.sample("pgassist_metrics_shared", [:], UInt64(shared ? 1 : 0))
        out.family("pgassist_worker_processes", "gauge", help: "Live worker processes counting into these metrics.")
        out.sample("pgassist_worker_processes", [:], UInt64(snapshot.processes.count))
        out.family("pgassist_worker_start_time_seconds", "gauge", help: "When each live worker started, in seconds since the Unix epoch.")
        for process in snapshot.processes {
            out.sample("pgassist_worker_start_time_seconds", ["pid": String(process.pid)],
                       Double(process.startedAtMilliseconds) / 1_000)
        }
        out.family("pgassist_worker_uptime_seconds", "gauge", help: "How long each live worker has been running.")
        for process in snapshot.processes {
            out.sample("pgassist_worker_uptime_seconds", ["pid": String(process.pid)],
                       Double(max(now - process.startedAtMilliseconds, 0)) / 1_000)
        }
        out.family("pgassist_worker_requests_served_total", "counter", help: "Requests each live worker has answered.")
        for process in snapshot.processes {
            let served = RequestEndpoint.allCases.reduce(UInt64(0)) { sum, endpoint in
                (0..<Self.statusLabels.count).reduce(sum) { $0 + process.counters[catalog.request(endpoint, statusColumn: $1)] }
            }
            out.sample("pgassist_worker_requests_served_total", ["pid": String(process.pid)], served)
        }
    }
}
