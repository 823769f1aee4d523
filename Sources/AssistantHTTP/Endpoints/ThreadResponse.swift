import ChatEngine
import Platform
import Policies
import Store

/// The body of `GET /thread`: the thread, and its messages when asked for.
struct ThreadResponse: Encodable {
    let threadId: String
    let userId: String
    let projectRef: String?
    let createdAt: String
    let updatedAt: String
    let messageCount: Int
    let messages: [MessageResponse]?
    let hasMore: Bool?
    /// The `before` value that fetches the next older page, when there is one.
    let nextBefore: Int64?

    init(thread: ThreadRecord, page: MessagePage?) {
        threadId = thread.id
        userId = thread.userId
        projectRef = thread.projectRef
        createdAt = WallClock.iso8601(thread.createdAt)
        updatedAt = WallClock.iso8601(thread.updatedAt)
        messageCount = thread.messageCount
        messages = page?.messages.map(MessageResponse.init)
        hasMore = page?.hasMore
        nextBefore = page.flatMap { $0.hasMore ? $0.messages.first?.seq : nil }
    }
}
