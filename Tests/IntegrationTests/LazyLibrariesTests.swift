import Foundation
import TestSupport
import Testing

/// Workers load libcurl, libpq, libcrypto and libpg_query only when a request needs them (see
/// Sources/LazyLibraries): a worker that has only read threads maps none of them, which keeps its memory small.
@Suite("Lazily loaded libraries", .serialized)
struct LazyLibrariesTests {
    @Test("a worker that answered GET /thread and DELETE /thread maps no libcurl, libpq, libcrypto or libpg_query")
    func threadRequestsLoadNoneOfThem() throws {
        let service = try Service(store: .sqlite, workers: 1, threads: 2)
        defer { service.stop() }
        for _ in 0..<3 {
            #expect(try service.request("GET", "/api/ai/assistant/thread?userId=lazy").status == 200)
        }
        #expect(try service.request("DELETE", "/api/ai/assistant/thread?userId=lazy").status == 200)
        let pids = service.workers.workerPIDs()
        #expect(!pids.isEmpty)
        for pid in pids {
            let maps = try String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8)
            for library in ["libcurl.so", "libpq.so", "libcrypto.so", "libpg_query.so"] {
                #expect(!maps.contains(library), "worker \(pid) maps \(library)")
            }
        }
    }
}
