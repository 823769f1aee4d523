@testable import AssistantHTTP
@testable import ChatEngine
import Foundation
import HTTP
import Logging
import Model
@testable import Operations
@testable import Policies
@testable import Store
import TestSupport
import Testing
import Tools
import ToolsCore

/// The worker's metrics in one process: what is counted under which labels, and the Prometheus text.
@Suite("Metrics")
struct MetricsTests {
    @Test("requests are counted under their route; anything else is `other`")
    func endpoints() {
        #expect(RequestEndpoint(method: "GET", path: "/api/ai/assistant/thread") == .getThread)
        #expect(RequestEndpoint(method: "GET", path: "/api/ai/assistant/thread/") == .other, "not a route: the router answers 404")
        #expect(RequestEndpoint(method: "GET", path: "/api/ai/assistant/metrics/") == .other)
        #expect(RequestEndpoint(method: "GET", path: "/api/ai/assistant/health") == .health)
        #expect(RequestEndpoint(method: "POST", path: "/api/ai/assistant/setup") == .setup)
        #expect(RequestEndpoint(method: "DELETE", path: "/api/ai/assistant/thread") == .deleteThread)
        #expect(RequestEndpoint(method: "POST", path: "/api/ai/assistant/chat") == .chat)
        #expect(RequestEndpoint(method: "GET", path: "/api/ai/assistant/metrics") == .metrics)
        #expect(RequestEndpoint(method: "POST", path: "/api/ai/assistant/thread") == .other)
        #expect(RequestEndpoint(method: "GET", path: "/api/ai/assistant/nothing") == .other)
        #expect(RequestEndpoint(method: "GET", path: "/elsewhere/thread") == .other)
    }

    @Test("every model error code has its own outcome label")
    func modelOutcomes() {
        let codes: [ModelError.Code] = [.authFailed, .rateLimited, .providerError, .timedOut, .badRequest, .contextTooLong,
                                        .streamInterrupted, .notConfigured, .connectionFailed, .invalidResponse, .cancelled]
        let labels = codes.map { MetricCatalog.modelOutcomes[MetricCatalog.outcomeColumn($0)] }
        #expect(labels.first == "auth_failed")
        #expect(labels.contains("context_too_long"))
        #expect(!labels.contains("other") && !labels.contains("ok"))
        #expect(Set(labels).count == codes.count)
    }

    @Test("latencies fill cumulative buckets; statuses not listed are `other`; model and tool calls by outcome")
    func exposition() throws {
        let metrics = AssistantMetrics.processPrivate(tools: ToolRegistry.standard.names)
        metrics.recordRequest(.health, status: 200, microseconds: 3_000)
        metrics.recordRequest(.health, status: 200, microseconds: 700_000)
        metrics.recordRequest(.health, status: 503, microseconds: 400_000_000)
        metrics.recordRequest(.other, status: 418, microseconds: 10)
        metrics.recordModelCall(.success(ModelResponse(outputItems: [], text: "hi", toolCalls: [], usage: ModelUsage(inputTokens: 12, outputTokens: 3), status: .completed)))
        metrics.recordModelCall(.failure(ModelError(code: .rateLimited, message: "slow down")))
        metrics.recordRetry(.providerError)
        metrics.recordToolCall("run_sql", success: false)
        metrics.recordToolCall("made_up_tool", success: true)
        let text = metrics.exposition(activeRuns: [.inProgress: 2], now: 0)
        let lines = Set(text.split(separator: "\n").map(String.init))
        let expected = [
            #"pgassist_http_requests_total{endpoint="health",method="GET",status="200"} 2"#,
            #"pgassist_http_requests_total{endpoint="health",method="GET",status="503"} 1"#,
            #"pgassist_http_requests_total{endpoint="other",method="other",status="other"} 1"#,
            #"pgassist_http_request_duration_seconds_bucket{endpoint="health",method="GET",le="0.005"} 1"#,
            #"pgassist_http_request_duration_seconds_bucket{endpoint="health",method="GET",le="0.5"} 1"#,
            #"pgassist_http_request_duration_seconds_bucket{endpoint="health",method="GET",le="1"} 2"#,
            #"pgassist_http_request_duration_seconds_bucket{endpoint="health",method="GET",le="300"} 2"#,
            #"pgassist_http_request_duration_seconds_bucket{endpoint="health",method="GET",le="+Inf"} 3"#,
            #"pgassist_http_request_duration_seconds_sum{endpoint="health",method="GET"} 400.703"#,
            #"pgassist_http_request_duration_seconds_count{endpoint="health",method="GET"} 3"#,
            #"pgassist_model_calls_total{outcome="ok"} 1"#,
            #"pgassist_model_calls_total{outcome="rate_limited"} 1"#,
            #"pgassist_model_tokens_total{type="input"} 12"#,
            #"pgassist_model_tokens_total{type="output"} 3"#,
            #"pgassist_model_retries_total{reason="provider_error"} 1"#,
            #"pgassist_tool_calls_total{tool="run_sql",outcome="failure"} 1"#,
            #"pgassist_tool_calls_total{tool="other",outcome="success"} 1"#,
            #"pgassist_active_runs{status="in_progress"} 2"#,
            #"pgassist_active_runs{status="requires_action"} 0"#,
            "pgassist_store_up 1",
            "pgassist_metrics_shared 0",
            "pgassist_worker_processes 1",
        ]
        for line in expected { #expect(lines.contains(line), "\(line)\n\(text)") }
        #expect(text.contains("# TYPE pgassist_http_request_duration_seconds histogram\n"))
        let storeDown = metrics.exposition(activeRuns: nil)
        #expect(storeDown.contains("pgassist_store_up 0\n"))
        #expect(!storeDown.contains("pgassist_active_runs{"))
    }

    @Test("a streamed answer is counted when its stream ends, with the whole time")
    func streamedAnswer() throws {
        let metrics = AssistantMetrics.processPrivate(tools: ToolRegistry.standard.names)
        let request = HTTPRequest(method: "POST", path: "/api/ai/assistant/chat")
        let streamed = HTTPResponse.eventStream(pingIntervalMilliseconds: 60_000) { _ in usleep(30_000) }
        let observed = metrics.observe(streamed, to: request, since: .now)
        let chat = #"pgassist_http_requests_total{endpoint="chat",method="POST",status="200"} 1"#
        #expect(!metrics.exposition(activeRuns: nil).contains(chat))
        observed.stream?.produce(DiscardingWriter())
        let text = metrics.exposition(activeRuns: nil)
        #expect(text.contains(chat))
        #expect(text.contains(#"pgassist_http_request_duration_seconds_bucket{endpoint="chat",method="POST",le="0.025"} 0"#))
        #expect(text.contains(#"pgassist_http_request_duration_seconds_bucket{endpoint="chat",method="POST",le="+Inf"} 1"#))
    }

    @Test("GET /metrics answers Prometheus text with the store's active runs")
    func endpoint() throws {
        let fixture = try StoreFixture(.sqlite)
        let api = AssistantAPI(tools: .standard, store: try fixture.open(), configuration: AssistantConfiguration(), logger: Logger(label: "test"))
        _ = api.respond(to: HTTPRequest(method: "GET", path: "/api/ai/assistant/health"))
        let response = api.respond(to: HTTPRequest(method: "GET", path: "/api/ai/assistant/metrics"))
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(text.contains(#"pgassist_active_runs{status="in_progress"} 0"#), "\(text)")
        #expect(text.contains("pgassist_store_up 1"))
        #expect(api.respond(to: HTTPRequest(method: "POST", path: "/api/ai/assistant/metrics")).status == 405)
    }

    @Test("the counter file: PGASSIST_METRICS_FILE, `off`, a sibling for a file of another layout, else private memory")
    func fileLocation() throws {
        #expect(MetricsFileLocation.candidates(environment: " /run/x/metrics ") == ["/run/x/metrics"])
        #expect(MetricsFileLocation.candidates(environment: "off") == [])
        #expect(MetricsFileLocation.candidates(environment: "") == [])
        let directory = try TemporaryDirectory(prefix: "pgassist-metrics")
        let path = directory.file("pool.metrics")
        #expect(AssistantMetrics.open(candidates: [path], catalog: MetricCatalog(tools: [])).path == path)
        #expect(AssistantMetrics.open(candidates: [path], catalog: MetricCatalog(tools: [])).path == path, "opened again by another worker")
        let other = directory.file("other.metrics")
        try Array(repeating: UInt8(7), count: 100).withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: other)) }
        let sibling = try #require(AssistantMetrics.open(candidates: [other], catalog: MetricCatalog(tools: [])).path)
        #expect(sibling.hasPrefix(other + "-"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: other)).count == 100, "another release's file is left alone")
        let fallback = AssistantMetrics.open(candidates: [directory.file("missing/folder/metrics"), path], catalog: MetricCatalog(tools: []))
        #expect(fallback.path == path, "the next candidate")
        #expect(AssistantMetrics.open(candidates: [directory.file("missing/folder/metrics")], catalog: MetricCatalog(tools: [])).path == nil)
    }

    @Test("label values are escaped")
    func escaping() {
        #expect(PrometheusText.escapeLabel(#"a"b\c"# + "\n") == #"a\"b\\c\n"#)
        #expect(PrometheusText.format(0.005) == "0.005")
        #expect(PrometheusText.format(300) == "300")
    }
}

/// A response body writer that accepts and drops everything.
private final class DiscardingWriter: ResponseBodyWriter {
    func send(_ bytes: [UInt8]) -> Bool { true }
}
