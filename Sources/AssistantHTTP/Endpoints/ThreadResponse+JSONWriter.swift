import ChatEngine
import JSON
import Policies
import Store

extension ThreadResponse {
    /// The body written with `JSONWriter`: the same bytes `JSONCoding.encode(self)` gives, at a fraction
    /// of the cost (it is every `GET /thread`'s answer). Nil when the body carries messages: their tool
    /// calls and results are arbitrary JSON values, left to the encoder.
    var writtenJSON: [UInt8]? {
        guard messages == nil, hasMore == nil, nextBefore == nil else { return nil }
        // Keys in JSONCoding's sorted order; a nil projectRef is left out, as the encoder does.
        var writer = JSONWriter(capacity: 192)
        writer.beginObject()
        writer.key("createdAt")
        writer.string(createdAt)
        writer.key("messageCount")
        writer.integer(messageCount)
        if let projectRef {
            writer.key("projectRef")
            writer.string(projectRef)
        }
        writer.key("threadId")
        writer.string(threadId)
        writer.key("updatedAt")
        writer.string(updatedAt)
        writer.key("userId")
        writer.string(userId)
        writer.endObject()
        return writer.bytes
    }
}
