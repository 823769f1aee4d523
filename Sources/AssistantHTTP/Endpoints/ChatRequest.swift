import ChatEngine
import HTTP

/// A validated body of `POST /chat`: a new message, or an answer to a pending action, or a cancellation.
struct ChatRequest {
    /// What the engine is asked to do, for whom and where.
    let command: ChatCommand
    /// Whether the client asked for server-sent events (`"stream": true`).
    let stream: Bool

    /// Checks every field and says which one is wrong. `authenticatedUser` (nginx's `AUTH_USER`), when
    /// present, is the user: the body's `userId` may then be left out, and must not name anyone else.
    init(body: JSONBody, maxMessageCharacters: Int, authenticatedUser: String?) throws(APIError) {
        let userId = try RequestIdentity.userId(authenticated: authenticatedUser, claimed: try UserIdentifier.fromBody(body), in: "body")
        let projectRef = try UserIdentifier.validate(try body.requiredString("projectRef", maxLength: 256), field: "projectRef")
        let threadId = try body.optionalString("threadId", maxLength: 256)
        let connectionString = try body.optionalString("connectionString", maxLength: 4_096)
        stream = try body.optionalBool("stream") ?? false

        let actions = ["approve", "reject", "cancel"].filter(body.has)
        if body.has("message") && !actions.isEmpty || actions.count > 1 {
            let given = (body.has("message") ? ["message"] : []) + actions
            throw APIError.invalidField(given.joined(separator: "' and '"),
                                        "cannot be sent together; send a message, or one of approve, reject or cancel")
        }
        let intent: ChatCommand.Intent
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
        command = ChatCommand(userId: userId, projectRef: projectRef, threadId: threadId, connectionString: connectionString,
                              intent: intent)
    }
}
