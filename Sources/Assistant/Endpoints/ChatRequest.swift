import HTTP

/// A validated body of `POST /chat`: a new message, or an answer to a pending action, or a cancellation.
struct ChatRequest {
    /// What the request asks for.
    enum Intent: Equatable {
        /// A new user message.
        case message(String)
        /// Approve the pending action with this id.
        case approve(String)
        /// Reject the pending action with this id.
        case reject(String)
        /// Cancel the run with this id.
        case cancel(String)
    }

    let userId: String
    let projectRef: String
    let threadId: String?
    /// The target database, when the client sends it (never stored, never logged).
    let connectionString: String?
    let stream: Bool
    let intent: Intent

    /// Checks every field and says which one is wrong. `authenticatedUser` (nginx's `AUTH_USER`), when
    /// present, is the user: the body's `userId` may then be left out, and must not name anyone else.
    init(body: JSONBody, maxMessageCharacters: Int, authenticatedUser: String?) throws(APIError) {
        userId = try RequestIdentity.userId(authenticated: authenticatedUser, claimed: try UserIdentifier.fromBody(body), in: "body")
        projectRef = try UserIdentifier.validate(try body.requiredString("projectRef", maxLength: 256), field: "projectRef")
        threadId = try body.optionalString("threadId", maxLength: 256)
        connectionString = try body.optionalString("connectionString", maxLength: 4_096)
        stream = try body.optionalBool("stream") ?? false

        let actions = ["approve", "reject", "cancel"].filter(body.has)
        if body.has("message") && !actions.isEmpty || actions.count > 1 {
            let given = (body.has("message") ? ["message"] : []) + actions
            throw APIError.invalidField(given.joined(separator: "' and '"),
                                        "cannot be sent together; send a message, or one of approve, reject or cancel")
        }
        if let action = actions.first {
            let id = try body.requiredString(action, maxLength: 256)
            guard threadId != nil else { throw APIError.missingField("threadId") }
            intent = switch action {
            case "approve": .approve(id)
            case "reject": .reject(id)
            default: .cancel(id)
            }
        } else {
            intent = .message(try body.requiredString("message", maxLength: maxMessageCharacters))
        }
    }
}
