import ChatEngine
import Crypto
import HTTP
import JSON
import Policies
import Store

/// The `Idempotency-Key` header of a chat request: 1 to 255 printable ASCII characters chosen by the
/// client, the same for every retry of one request.
struct IdempotencyKey {
    /// The header's name, lower-cased as `HTTPRequest` keeps headers.
    static let headerName = "idempotency-key"
    /// The longest key accepted, in characters.
    static let maxLength = 255
    /// Body fields that do not make a retry a different request: the user (keys are per user already), the
    /// connection string (never stored, not even as part of a hash) and whether the answer streams (a replay
    /// is rendered the way the retry asks for).
    static let ignoredFields: Set<String> = ["userId", "connectionString", "stream"]

    /// The key as sent.
    let value: String

    /// The request's key; nil when it has none, 400 `invalid_field` when it is empty, too long or not
    /// printable ASCII.
    init?(request: HTTPRequest) throws(APIError) {
        guard let value = request.header(Self.headerName) else { return nil }
        guard (1...Self.maxLength).contains(value.utf8.count), value.utf8.allSatisfy({ (0x20...0x7e).contains($0) }) else {
            throw APIError.invalidField("Idempotency-Key", "header must be 1 to \(Self.maxLength) printable ASCII characters")
        }
        self.value = value
    }

    /// The fingerprint a retry must match: SHA-256 of the body's JSON (keys sorted) without `ignoredFields`.
    static func fingerprint(of body: JSONBody) -> String {
        let compared = body.fields.filter { !ignoredFields.contains($0.key) }
        return SHA256.hex(JSONValue.object(compared).serializedBytes())
    }
}
