import ChatEngine
import Policies
import Store

/// The outcome of `POST /setup?check=1`'s test call to the model: `{ok: true, latencyMs}` or
/// `{ok: false, code, error}`.
struct ModelCheckReport: Encodable, Equatable {
    /// Whether the provider answered.
    let ok: Bool
    /// How long the call took, in milliseconds (only when it succeeded).
    let latencyMs: Int?
    /// The failure's code, such as `provider_auth_failed` (only when it failed).
    let code: String?
    /// The provider's or our message for a person, without credentials (only when it failed).
    let error: String?

    /// A successful call that took `latencyMilliseconds`.
    static func succeeded(latencyMilliseconds: Int) -> ModelCheckReport {
        ModelCheckReport(ok: true, latencyMs: latencyMilliseconds, code: nil, error: nil)
    }

    /// A failed call.
    static func failed(code: String, message: String) -> ModelCheckReport {
        ModelCheckReport(ok: false, latencyMs: nil, code: code, error: message)
    }
}
