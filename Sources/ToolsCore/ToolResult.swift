import JSON

/// What a tool returns: `{"success": true, …data}` or `{"success": false, "error": {…}, …details}`.
public struct ToolResult: Sendable, Equatable {
    /// The data fields of a success (without `success`), or nil for a failure.
    public let data: [String: JSONValue]?
    /// The error of a failure, or nil for a success.
    public let error: ToolError?
    /// The key of the list the output budget may shorten (e.g. `rows`), when there is one.
    public let truncatableKey: String?

    /// A success with `data`; `truncatable` names the list the output budget may shorten.
    public static func success(_ data: [String: JSONValue], truncatable: String? = nil) -> ToolResult {
        ToolResult(data: data, error: nil, truncatableKey: truncatable)
    }

    /// A failure.
    public static func failure(_ error: ToolError) -> ToolResult {
        ToolResult(data: nil, error: error, truncatableKey: nil)
    }

    /// Whether the tool succeeded.
    public var isSuccess: Bool { error == nil }

    /// The result as one JSON object.
    public var json: JSONValue {
        if let error {
            var object = error.details
            object["success"] = .bool(false)
            object["error"] = .object(["code": .string(error.code.rawValue), "message": .string(error.message)])
            return .object(object)
        }
        var object = data ?? [:]
        object["success"] = .bool(true)
        return .object(object)
    }

    /// The result as JSON text of at most `budget` bytes where possible: the truncatable list is
    /// shortened from its end until it fits, and the output then says `"truncated": true` and how
    /// many items were left out (`"omitted"`). A result that cannot be made to fit becomes an error.
    public func rendered(budget: Int) -> String {
        let full = json.serialized()
        if full.utf8.count <= budget { return full }
        guard var object = json.objectValue, let key = truncatableKey, let items = object[key]?.arrayValue else {
            return ToolResult.failure(ToolError(.internalError, "The result is larger than the \(budget)-byte output budget; ask for less.")).json.serialized()
        }
        let alreadyOmitted = object["omitted"]?.intValue ?? 0
        func render(keeping count: Int) -> String {
            object[key] = .array(Array(items.prefix(count)))
            object["truncated"] = .bool(true)
            object["omitted"] = .number(Double(alreadyOmitted + items.count - count))
            return JSONValue.object(object).serialized()
        }
        // Binary search for the most items that fit.
        var low = 0, high = items.count
        while low < high {
            let middle = (low + high + 1) / 2
            if render(keeping: middle).utf8.count <= budget { low = middle } else { high = middle - 1 }
        }
        let text = render(keeping: low)
        if text.utf8.count <= budget { return text }
        return ToolResult.failure(ToolError(.internalError, "The result is larger than the \(budget)-byte output budget even when empty.")).json.serialized()
    }
}
