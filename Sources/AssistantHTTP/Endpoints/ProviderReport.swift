import ChatEngine
import Model
import Policies
import Store

/// Where the assistant's model calls go, as `POST /setup` reports it: never the API key, header
/// values or anything in the base URL beyond its host and port.
struct ProviderReport: Encodable, Equatable {
    /// The wire dialect, `responses` or `chat-completions`.
    let style: String
    /// The host (and port, when the URL names one) of the provider's base URL.
    let baseUrlHost: String
    /// The model the assistant runs on (the stored definition's, which wins over `OPENAI_MODEL`).
    let model: String
    /// Whether a model call can be attempted: a model is named and there is a key, or the provider
    /// is not OpenAI's (local servers need no key).
    let configured: Bool

    /// The report for `configuration` when the assistant runs on `model`.
    init(_ configuration: ModelConfiguration, model: String) {
        style = configuration.style.rawValue
        baseUrlHost = Self.host(of: configuration.baseURL)
        self.model = model
        var effective = configuration
        effective.model = model
        configured = effective.isConfigured
    }

    /// `host[:port]` of `url`: the scheme, any `user:password@`, the path, query and fragment are dropped,
    /// since a path or user part may carry a secret.
    static func host(of url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.firstRange(of: "://") { rest = rest[scheme.upperBound...] }
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        return String(rest)
    }
}
