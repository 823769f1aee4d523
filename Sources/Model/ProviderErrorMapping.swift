import JSON

/// Turns a provider's error (HTTP status + envelope, or a stream error event) into a `ModelError`.
enum ProviderErrorMapping {
    /// The `message` and `code` of an error envelope `{"error": {...}}`, a bare error object, or
    /// a string; `code` may be a string, an integer (OpenRouter) or null.
    static func fields(of body: JSONValue) -> (message: String?, code: String?) {
        var object = body
        if let inner = body["error"] {
            if let text = inner.stringValue { return (text, nil) }
            object = inner
        }
        let message = object["message"]?.stringValue
        var code: String?
        switch object["code"] {
        case .string(let text): code = text
        case .number(let number): code = number.rounded() == number ? String(Int(number)) : String(number)
        default: code = object["type"]?.stringValue
        }
        return (message, code)
    }

    /// The error for a non-2xx HTTP answer with `body`.
    static func error(status: Int, body: [UInt8], retryAfterMilliseconds: Int?, apiKey: String?) -> ModelError {
        let parsed = try? JSONValue.parse(body)
        let fields: (message: String?, code: String?) = parsed.map { Self.fields(of: $0) } ?? (nil, nil)
        var message = fields.message ?? ""
        if message.isEmpty {
            let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingSpaces
            message = parsed == nil && !text.isEmpty && !text.hasPrefix("<") ? text : "the provider answered HTTP \(status)"
        }
        let code: ModelError.Code
        switch status {
        case 401, 403: code = .authFailed
        case 429: code = .rateLimited
        case 408: code = .timedOut
        case 413: code = .contextTooLong
        case _ where isContextLength(fields.code, message: message): code = .contextTooLong
        case 409, 500...: code = .providerError
        default: code = .badRequest
        }
        let retryAfterSeconds = retryAfterMilliseconds.flatMap { $0 > 0 ? ($0 + 999) / 1000 : nil }
        return ModelError(code: code, status: status, retryAfterSeconds: retryAfterSeconds,
                          message: sanitize(message, apiKey: apiKey))
    }

    /// The error for a failure reported inside a stream (`error` event, `response.failed`, or a
    /// Chat chunk carrying `error`).
    static func streamError(_ object: JSONValue, apiKey: String?) -> ModelError {
        let fields = fields(of: object)
        let message = sanitize(fields.message ?? "the provider reported an error in the stream", apiKey: apiKey)
        let code: ModelError.Code
        switch fields.code {
        case _ where isContextLength(fields.code, message: message): code = .contextTooLong
        case "rate_limit_exceeded", "429": code = .rateLimited
        case "invalid_prompt", "invalid_request_error", "400": code = .badRequest
        case "401", "403", "invalid_api_key": code = .authFailed
        default: code = .providerError
        }
        return ModelError(code: code, message: message)
    }

    private static func isContextLength(_ code: String?, message: String) -> Bool {
        code == "context_length_exceeded" || code == "string_above_max_length" && message.contains("context")
    }

    /// `text` with every occurrence of the API key replaced, cut to at most 2,000 characters.
    static func sanitize(_ text: String, apiKey: String?) -> String {
        var result = text
        if let apiKey, apiKey.count >= 4 {
            result = result.replacingAll(apiKey, with: "[redacted]")
        }
        if result.count > 2000 { result = String(result.prefix(2000)) + "…" }
        return result
    }
}

extension String {
    /// A copy with every occurrence of `target` replaced by `replacement`.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
