import Foundation
import HTTPClient
import TestSupport
import Testing

/// `GET /thread?export=1` through nginx and real workers: the streamed JSON arrives whole, as a download.
@Suite("Export through nginx", .serialized)
struct ExportThroughNginxTests {
    @Test("an export downloads every thread of the user, deleted ones included, as one JSON document")
    func export() throws {
        let service = try Service(store: .sqlite, workers: 1, threads: 2)
        defer { service.stop() }
        let first = try service.request("GET", "/api/ai/assistant/thread?userId=exp%40example.com&projectRef=p1")
        let firstId = try #require(first.json["threadId"] as? String, "\(first.text)")
        #expect(try service.request("DELETE", "/api/ai/assistant/thread?userId=exp%40example.com").status == 200)
        let secondId = try #require(try service.request("GET", "/api/ai/assistant/thread?userId=exp%40example.com")
            .json["threadId"] as? String)

        let export = try service.request("GET", "/api/ai/assistant/thread?userId=exp%40example.com&export=1")
        #expect(export.status == 200, "\(export.text)\n\(service.logs)")
        #expect(export.header("content-type")?.hasPrefix("application/json") == true)
        #expect(export.header("content-disposition") == #"attachment; filename="pgassist-export-exp@example.com.json""#)
        #expect(export.json["userId"] as? String == "exp@example.com")
        #expect(export.json["complete"] as? Bool == true, "\(export.text)")
        let threads = export.json["threads"] as? [[String: Any]] ?? []
        #expect(threads.map { $0["threadId"] as? String } == [firstId, secondId])
        #expect(threads.first?["deletedAt"] as? String != nil)
        #expect(threads.first?["projectRef"] as? String == "p1")

        let invalid = try service.request("GET", "/api/ai/assistant/thread?userId=exp&export=maybe")
        #expect(invalid.status == 400)
        #expect(invalid.json["code"] as? String == "invalid_field")
    }
}
