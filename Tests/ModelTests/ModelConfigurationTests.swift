@testable import Model
import Platform
import Testing

@Suite("ModelConfiguration")
struct ModelConfigurationTests {
    @Test("reads the environment with defaults")
    func environment() throws {
        let configuration = try ModelConfiguration(environment: [
            "OPENAI_API_STYLE": "chat-completions", "OPENAI_BASE_URL": "http://localhost:11434/v1/",
            "OPENAI_MODEL": "llama", "OPENAI_EXTRA_HEADERS": #"{"api-key": "azure-secret"}"#,
            "OPENAI_TIMEOUT_MS": "5000", "OPENAI_MAX_RETRIES": "0",
        ])
        #expect(configuration.style == .chatCompletions)
        #expect(configuration.baseURL == "http://localhost:11434/v1")
        #expect(configuration.apiKey == nil)
        #expect(configuration.extraHeaders.map { "\($0.0)=\($0.1)" } == ["api-key=azure-secret"])
        #expect(configuration.requestTimeoutMilliseconds == 5000)
        #expect(configuration.maxRetries == 0)
        #expect(configuration.connectTimeoutMilliseconds == 10_000)
        #expect(configuration.isConfigured)
        #expect(!configuration.description.contains("azure-secret"))
    }

    @Test("OpenAI without a key or without a model is not configured; the key never shows")
    func notConfigured() throws {
        #expect(try !ModelConfiguration(environment: ["OPENAI_MODEL": "gpt-5.4"]).isConfigured)
        #expect(try !ModelConfiguration(environment: ["OPENAI_API_KEY": "sk-x"]).isConfigured)
        let configured = try ModelConfiguration(environment: ["OPENAI_MODEL": "gpt-5.4", "OPENAI_API_KEY": "sk-secret"])
        #expect(configured.style == .responses)
        #expect(configured.isConfigured)
        #expect(!configured.description.contains("sk-secret"))
    }

    @Test("bad values name the variable", arguments: [
        ["OPENAI_API_STYLE": "assistants"], ["OPENAI_BASE_URL": "ftp://x"], ["OPENAI_EXTRA_HEADERS": "[1]"],
        ["OPENAI_EXTRA_HEADERS": #"{"a": 1}"#], ["OPENAI_TIMEOUT_MS": "soon"], ["OPENAI_MAX_RETRIES": "-1"],
    ])
    func badValues(environment: [String: String]) {
        #expect(throws: ConfigurationError.self) { try ModelConfiguration(environment: environment) }
    }

    @Test("retry delays: server value within the cap, else capped exponential backoff; HTTP dates")
    func retryDelays() {
        #expect(RetryDelay.milliseconds(retriesSoFar: 0, serverDelay: 10, cap: 60_000) == 10)
        for retries in 0..<6 {
            let delay = RetryDelay.milliseconds(retriesSoFar: retries, serverDelay: 120_000, cap: 60_000)
            let base = min(500 << retries, 8000)
            #expect(delay <= base && delay >= base * 3 / 4 - 1)
        }
        let headers = ["retry-after": "2"]
        #expect(RetryDelay.serverDelayMilliseconds { headers[$0] } == 2000)
        let both = ["retry-after-ms": "15", "retry-after": "2"]
        #expect(RetryDelay.serverDelayMilliseconds { both[$0] } == 15)
        #expect(HTTPDate.secondsSinceEpoch("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
    }
}
