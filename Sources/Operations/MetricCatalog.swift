import Model
import SharedCounters
import Store

/// Where each of the worker's counters lives in a counter slot, and the label values behind each index.
///
/// Every series is a fixed counter, so a slot has a fixed size: label values outside the lists here
/// (a status code not listed, a model error added later, a tool not in the standard registry) are
/// counted as `other`. The layout's signature covers all the lists, so processes of a release with
/// other lists never share a file with this one.
struct MetricCatalog: Sendable {
    /// The HTTP statuses counted on their own; any other is `other`.
    static let statuses = [200, 201, 400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 502, 503, 504]
    /// Upper bounds of the request latency buckets, in microseconds; a last bucket (+Inf) takes the rest.
    static let latencyBounds: [UInt64] = [
        5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000,
        10_000_000, 30_000_000, 60_000_000, 120_000_000, 300_000_000,
    ]
    /// Outcomes of model calls and reasons of retries: `ok`, each model error code in snake case, `other`.
    static let modelOutcomes = [
        "ok", "auth_failed", "rate_limited", "provider_error", "timed_out", "bad_request", "context_too_long",
        "stream_interrupted", "not_configured", "connection_failed", "invalid_response", "cancelled", "other",
    ]
    /// Token kinds of `pgassist_model_tokens_total`.
    static let tokenKinds = ["input", "output"]
    /// Outcomes of tool calls.
    static let toolOutcomes = ["success", "failure"]

    /// The standard tools' names, then `other`.
    package let tools: [String]

    init(tools: [String]) {
        self.tools = tools + ["other"]
    }

    // MARK: Offsets, in counters from the start of a slot

    private static let statusColumns = statuses.count + 1
    private static let latencyColumns = latencyBounds.count + 1
    private static let endpoints = RequestEndpoint.allCases.count

    let requests = 0
    var latencyBuckets: Int { requests + Self.endpoints * Self.statusColumns }
    var latencySums: Int { latencyBuckets + Self.endpoints * Self.latencyColumns }
    var modelCalls: Int { latencySums + Self.endpoints }
    var modelTokens: Int { modelCalls + Self.modelOutcomes.count }
    var modelRetries: Int { modelTokens + Self.tokenKinds.count }
    var toolCalls: Int { modelRetries + Self.modelOutcomes.count }
    /// Counters per slot.
    var count: Int { toolCalls + tools.count * Self.toolOutcomes.count }

    /// The counter file layout: every list, in order, is part of its signature.
    var layout: CounterFileLayout {
        let description = [
            "pgassist-metrics-1",
            RequestEndpoint.allCases.map { "\($0.method) \($0.name)" }.joined(separator: ","),
            Self.statuses.map(String.init).joined(separator: ","),
            Self.latencyBounds.map(String.init).joined(separator: ","),
            Self.modelOutcomes.joined(separator: ","),
            Self.tokenKinds.joined(separator: ","),
            tools.joined(separator: ","),
            Self.toolOutcomes.joined(separator: ","),
        ].joined(separator: ";")
        return CounterFileLayout(counters: count, description: description)
    }

    // MARK: Indexes

    /// The column of `status` in a row of request counters (the last is `other`).
    static func statusColumn(_ status: Int) -> Int {
        statuses.firstIndex(of: status) ?? statuses.count
    }

    func request(_ endpoint: RequestEndpoint, statusColumn: Int) -> Int {
        requests + endpoint.rawValue * Self.statusColumns + statusColumn
    }

    /// The bucket counter of `endpoint` for a latency of `microseconds` (buckets are stored apart and
    /// added up when rendered, so one request touches one bucket).
    func latencyBucket(_ endpoint: RequestEndpoint, microseconds: UInt64) -> Int {
        let bucket = Self.latencyBounds.firstIndex { microseconds <= $0 } ?? Self.latencyBounds.count
        return latencyBucket(endpoint, column: bucket)
    }

    func latencyBucket(_ endpoint: RequestEndpoint, column: Int) -> Int {
        latencyBuckets + endpoint.rawValue * Self.latencyColumns + column
    }

    /// The sum of latencies of `endpoint`, in microseconds.
    func latencySum(_ endpoint: RequestEndpoint) -> Int { latencySums + endpoint.rawValue }

    func modelCall(outcomeColumn: Int) -> Int { modelCalls + outcomeColumn }

    func modelTokens(kindColumn: Int) -> Int { modelTokens + kindColumn }

    func modelRetry(reasonColumn: Int) -> Int { modelRetries + reasonColumn }

    func toolCall(toolColumn: Int, success: Bool) -> Int {
        toolCalls + toolColumn * Self.toolOutcomes.count + (success ? 0 : 1)
    }

    /// The column of tool `name` (the last is `other`).
    func toolColumn(_ name: String) -> Int {
        tools.firstIndex(of: name) ?? tools.count - 1
    }

    /// The column of a model error code: its name in snake case when listed, else `other`.
    static func outcomeColumn(_ code: ModelError.Code) -> Int {
        var name = ""
        for character in code.description {
            if character.isUppercase {
                name += "_" + character.lowercased()
            } else {
                name.append(character)
            }
        }
        return modelOutcomes.firstIndex(of: name) ?? modelOutcomes.count - 1
    }
}
