import ChatEngine
import HTTP
import Operations
import Policies
import Store

extension AssistantAPI {
    /// `GET /thread?userId=U[&projectRef=P][&messages=1&limit=N&before=SEQ]`: the user's current thread,
    /// created when there is none. Reading an existing thread never writes. With an authenticated user,
    /// `userId` may be left out (see `RequestIdentity`).
    /// With `export=1`, the user's whole history instead (see `exportHistory`).
    func getThread(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let userId = try RequestIdentity.userId(fromQueryOf: request)
        if try Self.flag(request.query["export"], name: "export") { return try exportHistory(userId: userId) }
        let projectRef = try UserIdentifier.projectRef(fromQuery: request)
        let wantsMessages = try Self.flag(request.query["messages"], name: "messages")
        let limit = try Self.integer(request.query["limit"], name: "limit", default: 50, range: 1...configuration.maxMessagePage)
        let before = try request.query["before"].map { text throws(APIError) -> Int64 in
            Int64(try Self.integer(text, name: "before", default: 0, range: 1...Int.max))
        }
        let thread = try withStore("get thread") { () throws(StoreError) -> ThreadRecord in
            try store.currentOrNewThread(userId: userId, projectRef: projectRef)
        }
        var page: MessagePage?
        if wantsMessages {
            page = try withStore("list messages") { () throws(StoreError) -> MessagePage in
                try store.messages(threadId: thread.id, limit: limit, before: before)
            }
        }
        let body = ThreadResponse(thread: thread, page: page)
        return body.writtenJSON.map { HTTPResponse.json(encoded: $0) } ?? .json(body)
    }

    /// `DELETE /thread?userId=U`: retires the user's current thread (kept in the store, marked deleted);
    /// the next `GET` starts a new one. Deleting when there is none is not an error.
    func deleteThread(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let userId = try RequestIdentity.userId(fromQueryOf: request)
        let deleted = try withStore("delete thread") { () throws(StoreError) -> ThreadRecord? in
            try store.deleteCurrentThread(userId: userId)
        }
        return .json(DeleteThreadResponse(deleted: deleted != nil, threadId: deleted?.id))
    }

    private static func flag(_ value: String?, name: String) throws(APIError) -> Bool {
        switch value?.lowercased() {
        case nil, "", "0", "false": return false
        case "1", "true": return true
        default: throw APIError.invalidField(name, "must be 1, 0, true or false")
        }
    }

    private static func integer(_ value: String?, name: String, default fallback: Int,
                                range: ClosedRange<Int>) throws(APIError) -> Int {
        guard let value, !value.isEmpty else { return fallback }
        guard let number = Int(value), range.contains(number) else {
            let upper = range.upperBound == Int.max ? "" : " to \(range.upperBound)"
            throw APIError.invalidField(name, "must be a whole number from \(range.lowerBound)\(upper)")
        }
        return number
    }
}

/// The body of `DELETE /thread`.
struct DeleteThreadResponse: Encodable {
    let deleted: Bool
    let threadId: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(deleted, forKey: .deleted)
        // Always present, null when nothing was deleted, so clients can rely on the key.
        try container.encode(threadId, forKey: .threadId)
    }

    private enum CodingKeys: String, CodingKey { case deleted, threadId }
}
