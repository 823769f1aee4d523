import Dispatch
import Foundation
import JSON
import Logging
@testable import Logs
import Testing

@Suite("Request fields on every log line")
struct RequestLogContextTests {
    @Test("on a plain thread, lines logged inside withValue carry the request's fields, learnt as it goes")
    func plainThread() throws {
        let captured = CapturedLines()
        let logger = captured.logger(provider: RequestLogContext.metadataProvider)
        let thread = Thread {
            logger.info("before")
            let context = RequestLogContext(requestID: "req-7", user: nil)
            RequestLogContext.$current.withValue(context) {
                logger.info("accepted")
                RequestLogContext.current?.user = "ada"
                RequestLogContext.current?.runID = "run_1"
                logger.info("run ended", metadata: ["duration_ms": .stringConvertible(12)])
            }
            logger.info("after")
        }
        thread.start()
        #expect(waitUntil { captured.raw.count == 4 })
        let objects = try captured.objects()
        #expect(objects[0]["request_id"] == nil && objects[3]["request_id"] == nil, "no request, no fields")
        #expect(objects[1]["request_id"] == .string("req-7") && objects[1]["user"] == nil && objects[1]["run_id"] == nil)
        #expect(objects[2]["request_id"] == .string("req-7") && objects[2]["user"] == .string("ada"))
        #expect(objects[2]["run_id"] == .string("run_1") && objects[2]["duration_ms"] == .number(12))
    }

    @Test("work handed to other threads logs with the request's fields once the context is carried there")
    func carriedToOtherThreads() throws {
        let captured = CapturedLines()
        let logger = captured.logger(provider: RequestLogContext.metadataProvider)
        RequestLogContext.$current.withValue(RequestLogContext(requestID: "req-9", user: "bo")) {
            RequestLogContext.concurrentPerform(iterations: 8) { index in
                if index == 7 { RequestLogContext.current?.runID = "run_2" }  // the same context everywhere
                logger.info("tool finished", metadata: ["index": .stringConvertible(index)])
            }
        }
        let objects = try captured.objects()
        #expect(objects.count == 8)
        #expect(objects.allSatisfy { $0["request_id"] == .string("req-9") && $0["user"] == .string("bo") })
        #expect(objects.contains { $0["run_id"] == .string("run_2") })
    }

    @Test("the text format gets the same fields from the provider")
    func textFormat() {
        let handler = LogFormat.text.handler(label: "t", level: .debug, metadataProvider: RequestLogContext.metadataProvider)
        #expect(handler.logLevel == .debug)
        #expect(handler.metadataProvider != nil)
        let metadata = RequestLogContext.$current.withValue(RequestLogContext(requestID: "r", user: "u")) {
            RequestLogContext.metadataProvider.get()
        }
        #expect(metadata == ["request_id": "r", "user": "u"])
    }

    private func waitUntil(seconds: Double = 5, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }
}
