/// The one error type of the HTTP edge: a status, a machine-readable code and a message for a person.
///
/// It renders as `{"error": "<message>", "code": "<code>"}`. Messages never contain secrets
/// (connection strings, API keys) or internal details such as stack traces.
public struct APIError: Error, Sendable, CustomStringConvertible {
    /// A machine-readable error code a client can act on. New codes can be added without breaking anyone.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code as sent in the `code` field, e.g. `missing_field`.
        public let rawValue: String
        /// Creates a code from its wire form.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The wire form.
        public var description: String { rawValue }

        /// The body is not valid JSON, or not a JSON object.
        public static let invalidJSON = Code(rawValue: "invalid_json")
        /// A required field or query parameter is absent.
        public static let missingField = Code(rawValue: "missing_field")
        /// A field or query parameter has the wrong type or an unacceptable value.
        public static let invalidField = Code(rawValue: "invalid_field")
        /// The body has a field this endpoint does not know.
        public static let unknownField = Code(rawValue: "unknown_field")
        /// No endpoint at this path.
        public static let notFound = Code(rawValue: "not_found")
        /// The endpoint exists but not for this method.
        public static let methodNotAllowed = Code(rawValue: "method_not_allowed")
        /// The body is larger than the configured cap.
        public static let payloadTooLarge = Code(rawValue: "payload_too_large")
        /// A POST body that is not `application/json`.
        public static let unsupportedMediaType = Code(rawValue: "unsupported_media_type")
        /// A bug in this service; the details are in the log.
        public static let internalError = Code(rawValue: "internal_error")
    }

    /// The HTTP status code.
    public let status: Int
    /// The machine-readable code.
    public let code: Code
    /// A message for a person: what is wrong and, where possible, how to fix it.
    public let message: String
    /// Extra response headers, e.g. `Allow` for 405 or `Retry-After`.
    public let headers: [(name: String, value: String)]

    /// Creates an error.
    public init(status: Int, code: Code, message: String, headers: [(name: String, value: String)] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    /// The JSON body, `{"error": ..., "code": ...}`.
    public var body: Body { Body(error: message, code: code.rawValue) }

    /// The JSON shape of every error this service returns.
    public struct Body: Codable, Sendable, Equatable {
        /// The message for a person.
        public let error: String
        /// The machine-readable code.
        public let code: String
    }

    /// `status code: message`, for logs.
    public var description: String { "\(status) \(code.rawValue): \(message)" }
}

extension APIError {
    /// 400: the body is not parseable JSON (or not an object).
    public static func invalidJSON(_ message: String = "The request body is not valid JSON.") -> APIError {
        APIError(status: 400, code: .invalidJSON, message: message)
    }

    /// 400: a required field is absent.
    public static func missingField(_ name: String, in place: String = "body") -> APIError {
        APIError(status: 400, code: .missingField, message: "The \(place) is missing the required field '\(name)'.")
    }

    /// 400: a field has the wrong type or value; `expectation` says what is accepted.
    public static func invalidField(_ name: String, _ expectation: String) -> APIError {
        APIError(status: 400, code: .invalidField, message: "The field '\(name)' \(expectation).")
    }

    /// 400: fields this endpoint does not know (likely misspelled).
    public static func unknownFields(_ names: [String], allowed: [String]) -> APIError {
        let list = names.sorted().map { "'\($0)'" }.joined(separator: ", ")
        let known = allowed.map { "'\($0)'" }.joined(separator: ", ")
        return APIError(status: 400, code: .unknownField,
                        message: "Unknown field\(names.count == 1 ? "" : "s") \(list); this endpoint accepts \(known).")
    }

    /// 404: no endpoint at `path`.
    public static func notFound(path: String) -> APIError {
        APIError(status: 404, code: .notFound, message: "There is no endpoint at \(path).")
    }

    /// 405: the path exists for other methods, listed in `Allow`.
    public static func methodNotAllowed(_ method: String, allowed: [String]) -> APIError {
        let list = allowed.joined(separator: ", ")
        return APIError(status: 405, code: .methodNotAllowed,
                        message: "\(method) is not allowed here; use \(list).", headers: [("Allow", list)])
    }

    /// 413: the body exceeds `limit` bytes.
    public static func payloadTooLarge(limit: Int) -> APIError {
        APIError(status: 413, code: .payloadTooLarge,
                 message: "The request body is larger than the \(limit)-byte limit.")
    }

    /// 415: a POST body that is not JSON.
    public static func unsupportedMediaType(_ type: String?) -> APIError {
        let seen = type.map { "'\($0)'" } ?? "no Content-Type"
        return APIError(status: 415, code: .unsupportedMediaType,
                        message: "The request body must be JSON sent with 'Content-Type: application/json' (got \(seen)).")
    }

    /// 500: a bug; the cause is logged, never sent.
    public static func internalError() -> APIError {
        APIError(status: 500, code: .internalError,
                 message: "The server hit an unexpected error; it has been logged.")
    }
}
