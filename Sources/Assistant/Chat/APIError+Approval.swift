import HTTP

extension APIError.Code {
    /// An approval given with another database or project than the action was asked for.
    public static let invalidApproval = APIError.Code(rawValue: "invalid_approval")
}

extension APIError {
    /// 403 `invalid_approval`: action `actionId` was asked for another database or project than the approving
    /// request names. Nothing runs and the action keeps waiting for an answer from the right place.
    static func approvalTargetMismatch(_ actionId: String) -> APIError {
        APIError(status: 403, code: .invalidApproval, message: """
            Action \(actionId) was asked for another database or project; approve it with the connectionString and \
            projectRef it was asked with, or reject it. Nothing was done.
            """)
    }
}
