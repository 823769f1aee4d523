import Foundation
import HTTPClient

extension HTTPClientResponse {
    /// The body as a JSON object (empty when it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
    }

    /// The `code` of a JSON error body.
    var errorCode: String? { json["code"] as? String }

    /// Whether the body is the service's error shape: exactly a message for a person and a code.
    var isJSONError: Bool {
        header("content-type")?.hasPrefix("application/json") == true
            && (json["error"] as? String)?.isEmpty == false && errorCode?.isEmpty == false
    }
}
