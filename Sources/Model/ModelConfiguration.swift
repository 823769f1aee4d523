import JSON
import Platform

/// Where and how to reach the model provider.
public struct ModelConfiguration: Sendable, CustomStringConvertible {
    /// The wire dialect.
    public var style: APIStyle
    /// The API's base URL without a trailing slash, such as `https://api.openai.com/v1`.
    public var baseURL: String
    /// The bearer token; nil sends no Authorization header (local servers). Never logged.
    public var apiKey: String?
    /// The model name sent with every request.
    public var model: String
    /// Headers added to every request (e.g. Azure's `api-key`). Values are never logged.
    public var extraHeaders: [(String, String)]
    /// Connecting (DNS, TCP, TLS) must finish within this many milliseconds.
    public var connectTimeoutMilliseconds: Int
    /// One HTTP attempt must finish within this many milliseconds.
    public var requestTimeoutMilliseconds: Int
    /// Retries after the first attempt for transient failures.
    public var maxRetries: Int
    /// A server-requested retry delay above this many milliseconds is ignored (backoff is used).
    public var maxRetryDelayMilliseconds: Int

    /// The OpenAI API base URL.
    public static let defaultBaseURL = "https://api.openai.com/v1"

    /// Creates a configuration.
    public init(style: APIStyle = .responses, baseURL: String = ModelConfiguration.defaultBaseURL,
                apiKey: String? = nil, model: String, extraHeaders: [(String, String)] = [],
                connectTimeoutMilliseconds: Int = 10_000, requestTimeoutMilliseconds: Int = 120_000,
                maxRetries: Int = 2, maxRetryDelayMilliseconds: Int = 60_000) {
        self.style = style
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.apiKey = apiKey
        self.model = model
        self.extraHeaders = extraHeaders
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.requestTimeoutMilliseconds = requestTimeoutMilliseconds
        self.maxRetries = maxRetries
        self.maxRetryDelayMilliseconds = maxRetryDelayMilliseconds
    }

    /// Reads `OPENAI_API_STYLE` (`responses` or `chat-completions`), `OPENAI_BASE_URL`,
    /// `OPENAI_API_KEY`, `OPENAI_MODEL`, `OPENAI_EXTRA_HEADERS` (a JSON object of strings),
    /// `OPENAI_TIMEOUT_MS` (per attempt, milliseconds) and `OPENAI_MAX_RETRIES`; empty means unset.
    public init(environment: [String: String]) throws(ConfigurationError) {
        let environment = EnvironmentReader(environment, trimsSpaces: true)
        var style = APIStyle.responses
        if let text = environment.string("OPENAI_API_STYLE") {
            guard let parsed = APIStyle(rawValue: text.lowercased()) else {
                throw ConfigurationError(variable: "OPENAI_API_STYLE",
                                         message: "must be `responses` or `chat-completions`")
            }
            style = parsed
        }
        let baseURL = environment.string("OPENAI_BASE_URL") ?? Self.defaultBaseURL
        guard baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://") else {
            throw ConfigurationError(variable: "OPENAI_BASE_URL", message: "must start with http:// or https://")
        }
        var headers: [(String, String)] = []
        if let text = environment.string("OPENAI_EXTRA_HEADERS") {
            guard let parsed = try? JSONValue.parse(text), let members = parsed.objectValue else {
                throw ConfigurationError(variable: "OPENAI_EXTRA_HEADERS", message: "must be a JSON object")
            }
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                guard let headerValue = member.stringValue, Self.isHeaderSafe(name), Self.isHeaderSafe(headerValue),
                      !name.isEmpty, !name.contains(":") else {
                    throw ConfigurationError(variable: "OPENAI_EXTRA_HEADERS",
                                             message: "header \(Self.isHeaderSafe(name) ? name : "?") needs a one-line string value")
                }
                headers.append((name, headerValue))
            }
        }
        self.init(style: style, baseURL: baseURL, apiKey: environment.string("OPENAI_API_KEY"), model: environment.string("OPENAI_MODEL") ?? "",
                  extraHeaders: headers,
                  requestTimeoutMilliseconds: try environment.integer("OPENAI_TIMEOUT_MS", atLeast: 1) ?? 120_000,
                  maxRetries: try environment.integer("OPENAI_MAX_RETRIES", atLeast: 0) ?? 2)
    }

    /// True when a model is named and there is a key, or the base URL is not OpenAI's (local servers
    /// need no key).
    public var isConfigured: Bool {
        !model.isEmpty && (apiKey != nil || baseURL != Self.defaultBaseURL)
    }

    /// Style, base URL and model; never the key or header values.
    public var description: String {
        "\(style.rawValue) \(baseURL) model=\(model.isEmpty ? "(none)" : model) key=\(apiKey == nil ? "no" : "yes")"
    }

    private static func isHeaderSafe(_ text: String) -> Bool {
        !text.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
    }
}

extension String {
    /// The text without leading and trailing spaces, tabs and newlines.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
