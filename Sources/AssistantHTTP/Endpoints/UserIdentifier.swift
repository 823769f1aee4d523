import ChatEngine
import HTTP
import Policies
import Store

/// Checks the user ids clients send: non-empty, at most 256 characters, no control characters; an accepted
/// id is returned in Unicode NFC (`String.nfc`), the one form user ids are compared and stored in.
enum UserIdentifier {
    /// The longest user id accepted, in characters.
    static let maxLength = 256

    /// `value` when it is an acceptable user id; otherwise a 400 naming `field`.
    static func validate(_ value: String, field: String = "userId") throws(APIError) -> String {
        // Printable ASCII holds neither control characters nor U+FFFD: the usual case, checked on bytes.
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return value }
        if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw APIError.invalidField(field, "must not contain control characters")
        }
        // U+FFFD is what invalid UTF-8 (e.g. %FF in a query string) decodes to: different bytes would
        // otherwise become one and the same user.
        if value.unicodeScalars.contains("\u{FFFD}") {
            throw APIError.invalidField(field, "must be valid UTF-8 text")
        }
        return value
    }

    /// The `projectRef` query parameter of `request`, validated like a user id; nil when absent or empty.
    static func projectRef(fromQuery request: HTTPRequest) throws(APIError) -> String? {
        guard let value = request.query["projectRef"], !value.isEmpty else { return nil }
        if exceedsMaxLength(value) { throw APIError.invalidField("projectRef", "must be at most \(maxLength) characters long") }
        return try validate(value, field: "projectRef")
    }

    /// The `userId` query parameter of `request`, validated, in NFC; nil when absent, 400 when invalid.
    /// Which user the request acts for is `RequestIdentity`'s decision.
    static func fromQuery(_ request: HTTPRequest) throws(APIError) -> String? {
        guard let value = request.query["userId"] else { return nil }
        if value.allSatisfy(\.isWhitespace) { throw APIError.invalidField("userId", "must not be empty") }
        if exceedsMaxLength(value) { throw APIError.invalidField("userId", "must be at most \(maxLength) characters long") }
        return try validate(value).nfc
    }

    /// More than `maxLength` characters; counted only when there are more bytes than that, since a
    /// character is at least one byte.
    private static func exceedsMaxLength(_ value: String) -> Bool {
        value.utf8.count > maxLength && value.count > maxLength
    }

    /// The `userId` field of `body`, validated, in NFC; nil when absent or null, 400 when invalid.
    static func fromBody(_ body: JSONBody) throws(APIError) -> String? {
        guard let value = try body.optionalString("userId", maxLength: maxLength) else { return nil }
        return try validate(value).nfc
    }
}
