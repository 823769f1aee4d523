import JSON
import Logging
import Model
import TestSupport

/// A client of `style` pointed at `fake`, with short timeouts.
func makeClient(_ style: APIStyle, _ fake: FakeModelProvider, apiKey: String? = nil, maxRetries: Int = 2,
                requestTimeoutMilliseconds: Int = 20_000) -> any ModelClient {
    let configuration = ModelConfiguration(style: style, baseURL: fake.baseURL, apiKey: apiKey ?? fake.apiKey,
                                           model: "gpt-test", connectTimeoutMilliseconds: 5_000,
                                           requestTimeoutMilliseconds: requestTimeoutMilliseconds,
                                           maxRetries: maxRetries)
    return makeModelClient(configuration, logger: Logger(label: "model-tests"))
}

/// A deadline `seconds` from now.
func deadline(seconds: Int = 30) -> ContinuousClock.Instant { .now + .seconds(seconds) }

/// The `list_tables` tool with a strict-mode schema.
let listTablesTool = ToolDefinition(
    name: "list_tables", description: "Lists the tables",
    parameters: .object([
        "type": .string("object"), "properties": .object([:]), "required": .array([]),
        "additionalProperties": .bool(false),
    ]))

/// The request bodies the fake received.
func sentBodies(_ fake: FakeModelProvider) throws -> [JSONValue] {
    try fake.requests().compactMap { $0["body"] }
}

/// JSON from a literal written in the test.
func json(_ text: String) -> JSONValue { try! JSONValue.parse(text) }

let bothStyles: [APIStyle] = [.responses, .chatCompletions]

/// Starts a fake provider once per suite (starting one takes about 2 s; it exits with the test
/// process). Suites that share one are `.serialized`.
func startFake() -> Result<FakeModelProvider, any Error> {
    Result { try FakeModelProvider() }
}

/// The suite's fake provider, with its script, recorded requests and memory cleared.
func freshFake(_ shared: Result<FakeModelProvider, any Error>) throws -> FakeModelProvider {
    let fake = try shared.get()
    try fake.reset()
    return fake
}
